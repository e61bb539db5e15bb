"""The lock that makes exactly one process per shop run the scheduler.

PostgreSQL: a session-level advisory lock on a connection of its own, kept out
of the pool (a pooled connection would carry the lock to whoever checks it out
next, and returning it does not release it). The server drops the lock the
moment the holder's connection ends, whether the process exits or is killed,
so a follower's next try succeeds. Behind PgBouncer in transaction mode session
locks do not hold: point the plugin at PostgreSQL directly.

SQLite (and any other database): ``flock`` on a file beside the database or in
the instance folder. The kernel releases it when the holder dies. It elects
among processes of one host, which is all a SQLite shop has.
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import logging
import os
from pathlib import Path

log = logging.getLogger("amazon_tr")

# Advisory locks are per database, so one fixed key per plugin is enough.
ADVISORY_KEY = int.from_bytes(hashlib.sha256(b"flask-amazon-tr scheduler").digest()[:8], "big", signed=True)
LOCK_FILE_NAME = "amazon_tr-scheduler.lock"


class PostgresLock:
    kind = "postgres"

    def __init__(self, engine, key: int = ADVISORY_KEY) -> None:
        self.engine = engine
        self.key = key
        self._conn = None
        self.held = False

    @property
    def where(self) -> str:
        return f"pg_advisory_lock({self.key}) on {self.engine.url.render_as_string(hide_password=True)}"

    def _connection(self):
        if self._conn is None:
            proxy = self.engine.raw_connection()
            conn = proxy.dbapi_connection
            proxy.detach()  # closing it must end the session, not hand it back to the pool with the lock
            conn.autocommit = True  # no transaction left idle while we hold the lock
            self._conn = conn
        return self._conn

    def _scalar(self, sql: str, params: tuple = ()):
        cursor = self._connection().cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]
        finally:
            cursor.close()

    def try_acquire(self) -> bool:
        try:
            got = bool(self._scalar("SELECT pg_try_advisory_lock(%s)", (self.key,)))
        except Exception as exc:
            log.warning("scheduler lock: PostgreSQL did not answer: %s: %s", type(exc).__name__, exc)
            self._drop()
            return False
        self.held = got
        return got

    def still_held(self) -> bool:
        """The lock lives as long as its session: a working connection means it is still ours."""
        if not self.held or self._conn is None:
            return False
        try:
            self._scalar("SELECT 1")
            return True
        except Exception as exc:
            log.warning("scheduler lock: lost the PostgreSQL session: %s: %s", type(exc).__name__, exc)
            self._drop()
            return False

    def release(self) -> None:
        self._drop()

    def _drop(self) -> None:
        self.held = False
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # a dead connection: the server has already dropped the lock
                pass


class FileLock:
    kind = "file"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._fd: int | None = None
        self._unusable: str | None = None  # why the file cannot be opened, once said

    @property
    def where(self) -> str:
        return str(self.path)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            self._cannot_open(exc)
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                self._cannot_open(exc)  # no flock on this file system (ENOLCK…)
            return False  # another process holds it: the normal follower's answer
        if self._unusable is not None:
            log.info("scheduler lock: %s can be used again", self.path)
            self._unusable = None
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:  # the pid in the file is only a courtesy; the flock is what counts
            pass
        self._fd = fd
        return True

    def _cannot_open(self, exc: OSError) -> None:
        """Say it once, clearly, without a traceback; the election keeps trying quietly."""
        why = exc.strerror or type(exc).__name__
        if self._unusable == why:
            log.debug("scheduler lock: %s still cannot be used (%s)", self.path, why)
            return
        self._unusable = why
        log.warning("scheduler lock: cannot use the lock file %s (%s); this process will not run the scheduler "
                    "until it can. Make the folder writable or set AMAZON_TR_SCHEDULER_LOCK_FILE to a writable "
                    "path; the election keeps trying quietly.", self.path, why)

    def still_held(self) -> bool:
        """Ours while the file we locked is still the one at the path (someone may have deleted it)."""
        if self._fd is None:
            return False
        try:
            same = os.fstat(self._fd).st_ino == os.stat(self.path).st_ino
        except OSError:
            same = False
        if not same:
            log.warning("scheduler lock: %s was removed or replaced; stepping down", self.path)
            self.release()
        return same

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the only descriptor releases the flock


def lock_for(engine, *, lock_file: str | None, instance_path: str):
    """The right lock for the host's database."""
    if engine.dialect.name == "postgresql":
        return PostgresLock(engine)
    if lock_file:
        return FileLock(lock_file)
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if database and database != ":memory:" and not database.startswith("file:"):
        return FileLock(Path(database).resolve().with_name(Path(database).name + "." + LOCK_FILE_NAME))
    if engine.dialect.name != "sqlite":
        log.warning("scheduler lock: %s has no lock the plugin uses; a file lock elects one scheduler per host only",
                    engine.dialect.name)
    return FileLock(Path(instance_path) / LOCK_FILE_NAME)
