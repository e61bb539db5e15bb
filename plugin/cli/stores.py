"""``flask amazon stores``, ``test STORE``, ``generate-key`` and ``sandbox``."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..crypto import generate_key
from ..extras import load_sandbox
from ..services.connection_test import run_api_test
from ..services.stores import list_stores
from .params import STORE


@click.command("generate-key")
def generate_key_cmd():
    """Print a new AMAZON_TR_ENCRYPTION_KEY."""
    click.echo(generate_key())


@click.command("stores")
@with_appcontext
def stores_cmd():
    """List the Amazon stores."""
    stores = list_stores()
    if not stores:
        click.echo("No Amazon store yet.")
    for store in stores:
        click.echo(
            f"{store.id}\t{store.name}\t{store.seller_id}\t"
            f"{'active' if store.active else 'passive'}\tauthorization: {store.authorization_state()}"
            + ("  [anahtar okunamıyor: eski anahtarı geri ekleyip `flask amazon rotate-key` çalıştırın ya da "
               "yeniden yetkilendirin]" if store.refresh_token_unreadable() else "")
        )


@click.command("test")
@click.argument("store", type=STORE)
@with_appcontext
def test_cmd(store):
    """Run the API test (API'yi test et) of STORE (id or name); exit 1 when it fails."""
    result = run_api_test(store.load())
    # The reason is a fixed code (client_secret, revoked, not_participating…) for scripts and monitoring.
    click.echo(f"{'OK' if result.ok else 'FAILED'} ({result.reason}): {result.message}")
    if result.store_name:
        click.echo(f"  store on Amazon: {result.store_name}")
    for check in result.checks:
        click.echo(f"  {check.key}: {check.status}{' - ' + str(check.message) if check.message else ''}")
    if not result.ok:
        raise SystemExit(1)


@click.command("sandbox")
@click.option("--port", default=8600, show_default=True, help="Port on 127.0.0.1.")
def sandbox_cmd(port):
    """Serve the local Amazon sandbox alone (needs the sandbox extra)."""
    load_sandbox("server").main(port)
