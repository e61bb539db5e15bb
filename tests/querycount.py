"""Counting the SQL statements a page makes: an admin page must cost the same whatever the data."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def counting_queries(engine):
    """Yields a list that holds every statement ``engine`` ran inside the block."""
    seen: list[str] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", remember)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", remember)
