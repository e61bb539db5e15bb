"""``flask amazon rotate-key``: every secret and buyer field again under the newest key."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..crypto import EncryptionKeyMissing
from ..i18n import lazy_gettext as _l
from ..services import keys
from .text import gettext as _
from .text import label

LABELS = {"stores": _l("stores' authorizations"), "orders": _l("orders' buyer details")}


@click.command("rotate-key")
@click.option("--batch-size", default=500, show_default=True, help="Rows per committed batch.")
@with_appcontext
def rotate_key_cmd(batch_size):
    """Re-encrypt every stored secret and buyer field under the newest key (resumable; run it again any time).

    Put the new key first in AMAZON_TR_ENCRYPTION_KEY (new,old) and restart the shop, run this
    command, then remove the old key."""
    click.echo(_("Re-encrypting the encrypted values with the first (newest) key in AMAZON_TR_ENCRYPTION_KEY…"))
    shown = {}

    def show(progress):
        if progress.table in shown:
            click.echo("")
        shown[progress.table] = True
        click.echo("\r" + _("%(what)s: %(done)s/%(total)s rows", what=label(LABELS, progress.table),
                            done=progress.done, total=progress.total), nl=False)

    try:
        report = keys.rotate(batch_size=max(1, batch_size), on_batch=show)
    except EncryptionKeyMissing:
        raise click.ClickException(_("AMAZON_TR_ENCRYPTION_KEY is not set: re-encrypting needs a key "
                                     "(`flask amazon generate-key`).")) from None
    if shown:
        click.echo("")
    click.echo(_("%(rotated)s values re-encrypted, %(current)s values were already encrypted with the newest key.",
                 rotated=report.rotated, current=report.current))
    if report.unreadable:
        click.echo(_("%(count)s values could not be read with any key and were left as they were:",
                     count=report.unreadable), err=True)
        for store_id, name in report.unreadable_stores:
            click.echo("  " + _("store %(id)s (%(name)s): authorization unreadable; add the old key back to the list "
                                "and run the command again, or authorize the store again.", id=store_id, name=name),
                       err=True)
        if report.unreadable_orders:
            click.echo("  " + _("the buyer details of %(count)s orders are unreadable; add the old key back to the "
                                "list and run the command again.", count=report.unreadable_orders), err=True)
        raise SystemExit(1)
    click.echo(_("The old key can now be removed from AMAZON_TR_ENCRYPTION_KEY."))
