"""The rules of the plugin. Views, jobs and CLI commands all call these."""
from __future__ import annotations

from ..state import state

__all__ = ["session", "state"]


def session():
    return state().db.session
