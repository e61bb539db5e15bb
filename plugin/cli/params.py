"""The STORE argument every command shares: a store's id or its exact name."""
from __future__ import annotations

from contextlib import nullcontext
from typing import NamedTuple

import click
from flask import has_app_context
from flask.cli import ScriptInfo
from sqlalchemy import select

from ..models import Store
from ..services import session
from .text import gettext as _


class StoreRef(NamedTuple):
    """The store a command names; commands read the row again inside their own app context."""

    id: int
    name: str

    def load(self) -> Store:
        return session().get(Store, self.id)


class StoreParam(click.ParamType):
    name = "store"

    def convert(self, value, param, ctx):
        if isinstance(value, StoreRef):
            return value
        text = str(value).strip()
        # Click converts arguments before with_appcontext runs the command: look the store up
        # in an app context of our own.
        context = nullcontext() if has_app_context() or ctx is None else \
            ctx.ensure_object(ScriptInfo).load_app().app_context()
        with context:
            # isascii: "²".isdigit() is True but int("²") raises
            found = session().get(Store, int(text)) if text.isascii() and text.isdigit() and len(text) < 12 \
                else None
            found = found or session().scalar(select(Store).where(Store.name == text))
            if found is not None:
                return StoreRef(found.id, found.name)
        self.fail(_("no Amazon store “%(store)s” (give its id or its exact name; see `flask amazon stores`)",
                    store=text), param, ctx)


STORE = StoreParam()
