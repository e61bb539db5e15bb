"""The rules of the plugin. Views, jobs and CLI commands all call these."""
from __future__ import annotations

from flask import current_app


def state():
    return current_app.extensions["amazon_tr"]


def session():
    return state().db.session
