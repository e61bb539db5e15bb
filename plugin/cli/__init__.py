"""``flask amazon …``: the same services the admin buttons call, one module per group.

Every line is said through the plugin's catalog (cli/text.py): Turkish by default, English with
AMAZON_TR_LOCALE=en. Exit codes are in the README's CLI part.
"""
from __future__ import annotations

import os

import click
from flask.cli import ScriptInfo

from ..i18n import LOCALES
from .db import db_group
from .keys import rotate_key_cmd
from .scheduler import scheduler_group
from .stores import generate_key_cmd, sandbox_cmd, stores_cmd, test_cmd
from .sync import purge_cmd, sync_group


@click.group("amazon", help="Amazon Türkiye integration (flask-amazon-tr).")
@click.pass_context
def amazon_cli(ctx):
    _use_cli_locale(ctx)


def _use_cli_locale(ctx) -> None:
    """AMAZON_TR_LOCALE in the environment also sets the language of the services' messages
    (the API test's sentences) for this command, and only for it."""
    wanted = (os.environ.get("AMAZON_TR_LOCALE") or "").strip().lower()
    info = ctx.find_object(ScriptInfo)
    if wanted not in LOCALES or info is None:
        return
    try:
        app = info.load_app()
    except Exception:  # noqa: BLE001 - commands that need no app (generate-key) still run
        return
    before = app.config.get("AMAZON_TR_LOCALE")
    app.config["AMAZON_TR_LOCALE"] = wanted
    ctx.call_on_close(lambda: app.config.__setitem__("AMAZON_TR_LOCALE", before))


for _command in (db_group, generate_key_cmd, rotate_key_cmd, stores_cmd, test_cmd, sandbox_cmd, sync_group,
                 purge_cmd, scheduler_group):
    amazon_cli.add_command(_command)

__all__ = ["amazon_cli"]
