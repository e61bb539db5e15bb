"""Logging a failure without the buyers' data a database error carries in its text."""
from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError


def log_failure(log: logging.Logger, message: str, *args, exc: BaseException) -> None:
    """Log a failure without any value from the database.

    SQLAlchemy's text of a database error holds the statement and its
    parameters, and the driver's text may quote the row (PostgreSQL's
    "Failing row contains (…)", "Key (…)=(…)"): buyers' names, addresses and
    phones. For those (anywhere in the exception's chain) only the classes,
    the SQLSTATE and the constraint's name are logged, and no traceback;
    anything else is logged with its traceback.
    """
    db_error = _database_error(exc)
    if db_error is None:
        log.error(message, *args, exc_info=exc)
        return
    orig = getattr(db_error, "orig", None)
    diag = getattr(orig, "diag", None)
    code = getattr(orig, "sqlstate", None) or getattr(diag, "sqlstate", None)
    constraint = getattr(diag, "constraint_name", None)
    where = "".join(f", {label} {value}" for label, value in (("SQLSTATE", code), ("constraint", constraint)) if value)
    described = type(db_error).__name__ + (f" ({type(orig).__module__}.{type(orig).__name__}{where})"
                                           if orig is not None else "")
    log.error(message + ": database error %s; its text is not logged, it may hold buyers' data", *args, described)


def _database_error(exc: BaseException | None) -> SQLAlchemyError | None:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, SQLAlchemyError):  # DBAPIError, StatementError: both carry the parameters
            return exc
        exc = exc.__cause__ or exc.__context__
    return None
