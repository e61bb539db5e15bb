"""``flask amazon …``: the same services the admin buttons call, one module per group."""
from __future__ import annotations

import click

from .db import db_group
from .keys import rotate_key_cmd
from .scheduler import scheduler_group
from .stores import generate_key_cmd, sandbox_cmd, stores_cmd, test_cmd
from .sync import purge_cmd, sync_group


@click.group("amazon", help="Amazon Türkiye integration (flask-amazon-tr).")
def amazon_cli():
    pass


for _command in (db_group, generate_key_cmd, rotate_key_cmd, stores_cmd, test_cmd, sandbox_cmd, sync_group,
                 purge_cmd, scheduler_group):
    amazon_cli.add_command(_command)

__all__ = ["amazon_cli"]
