"""``flask amazon stores``, ``test STORE``, ``generate-key`` and ``sandbox``."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..crypto import generate_key
from ..extras import load_sandbox
from ..services.connection_test import run_api_test
from ..services.stores import list_stores
from .params import STORE
from .text import AUTH_STATES, label
from .text import gettext as _

# Exit codes of `flask amazon test`, for scripts and monitoring (README, "Mounting it in a shop").
# 2 is Click's own (a usage error: no such store).
EXIT_OK, EXIT_FAILED, EXIT_ROLE_MISSING, EXIT_UNCHECKED = 0, 1, 3, 4
MARKS = {"ok": "✓", "fail": "✗", "unknown": "?"}


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
        click.echo(_("No Amazon store yet."))
    for store in stores:
        active = _("Active") if store.active else _("Passive")
        click.echo(
            f"{store.id}\t{store.name}\t{store.seller_id}\t{active}\t"
            + _("Authorization: %(state)s", state=label(AUTH_STATES, store.authorization_state()))
            + ("  [" + _("key unreadable: add the old key back and run `flask amazon rotate-key`, or authorize "
                         "again") + "]" if store.refresh_token_unreadable() else "")
        )


@click.command("test")
@click.argument("store", type=STORE)
@with_appcontext
def test_cmd(store):
    """Run the API test (API'yi test et) of STORE (id or name).

    Exit 0: connected with every permission; 1: the test failed (not authorized, revoked, client
    secret refused, not taking part in Amazon.com.tr…); 2: no such store; 3: connected but a role is missing;
    4: connected but a permission could not be checked (try again later)."""
    result = run_api_test(store.load())
    # The reason is a fixed code (client_secret, revoked, not_participating…) for scripts and monitoring.
    verdict = _("OK") if result.ok else _("FAILED")
    click.echo(f"{verdict} ({result.reason}): {result.message}")
    if result.store_name:
        click.echo("  " + _("store on Amazon: %(name)s", name=result.store_name))
    for check in result.checks:
        click.echo(f"  {MARKS.get(check.status, '?')} {check.message}")
    if not result.ok:
        raise SystemExit(EXIT_FAILED)
    statuses = {check.status for check in result.checks}
    if "fail" in statuses:
        raise SystemExit(EXIT_ROLE_MISSING)
    if "unknown" in statuses:
        raise SystemExit(EXIT_UNCHECKED)


@click.command("sandbox")
@click.option("--port", default=8600, show_default=True, help="Port on 127.0.0.1.")
def sandbox_cmd(port):
    """Serve the local Amazon sandbox alone (needs the sandbox extra)."""
    load_sandbox("server").main(port)
