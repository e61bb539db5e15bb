"""Where the plugin's templates, static files and migrations are.

In a checkout they are the top-level folders; in an installed wheel they are
packaged under ``plugin/_data/``.
"""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"flask-amazon-tr is missing its {name!r} folder; reinstall the package")


def templates_dir() -> Path:
    return _find("templates")


def static_dir() -> Path:
    return _find("static")


def migrations_dir() -> Path:
    return _find("migrations")
