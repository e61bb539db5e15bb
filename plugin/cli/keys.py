"""``flask amazon rotate-key``: every secret and buyer field again under the newest key."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..crypto import EncryptionKeyMissing
from ..services import keys

LABELS = {"stores": "mağazaların yetkileri", "orders": "siparişlerin alıcı bilgileri"}


@click.command("rotate-key")
@click.option("--batch-size", default=500, show_default=True, help="Rows per committed batch.")
@with_appcontext
def rotate_key_cmd(batch_size):
    """Re-encrypt every stored secret and buyer field under the newest key (resumable; run it again any time).

    Put the new key first in AMAZON_TR_ENCRYPTION_KEY (new,old) and restart the shop, run this
    command, then remove the old key."""
    click.echo("Şifreli değerler AMAZON_TR_ENCRYPTION_KEY'deki ilk (en yeni) anahtarla yeniden şifreleniyor…")
    shown = {}

    def show(progress):
        if progress.table in shown:
            click.echo("")
        shown[progress.table] = True
        click.echo(f"\r{LABELS.get(progress.table, progress.table)}: {progress.done}/{progress.total} satır",
                   nl=False)

    try:
        report = keys.rotate(batch_size=max(1, batch_size), on_batch=show)
    except EncryptionKeyMissing:
        raise click.ClickException("AMAZON_TR_ENCRYPTION_KEY ayarlı değil: yeniden şifrelemek için bir anahtar "
                                   "gerekli (`flask amazon generate-key`).") from None
    if shown:
        click.echo("")
    click.echo(f"{report.rotated} değer yeniden şifrelendi, {report.current} değer zaten en yeni anahtarla "
               f"şifreliydi.")
    if report.unreadable:
        click.echo(f"{report.unreadable} değer hiçbir anahtarla okunamadı ve olduğu gibi bırakıldı:", err=True)
        for store_id, name in report.unreadable_stores:
            click.echo(f"  mağaza {store_id} ({name}): yetki okunamıyor; eski anahtarı listeye geri ekleyip komutu "
                       f"yeniden çalıştırın ya da mağazayı yeniden yetkilendirin.", err=True)
        if report.unreadable_orders:
            click.echo(f"  {report.unreadable_orders} siparişin alıcı bilgileri okunamıyor; eski anahtarı listeye "
                       f"geri ekleyip komutu yeniden çalıştırın.", err=True)
        raise SystemExit(1)
    click.echo("Eski anahtar artık AMAZON_TR_ENCRYPTION_KEY'den çıkarılabilir.")
