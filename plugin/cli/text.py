"""The CLI's words: the plugin's catalog, in Turkish unless AMAZON_TR_LOCALE=en says otherwise.

The environment variable wins over the shop's configuration so that one shell (a cron job, an
English-speaking developer) can choose the language of its output without changing the shop.
Services' messages (lazy strings) are translated in the same language.
"""
from __future__ import annotations

import os
from datetime import datetime

from babel.dates import format_datetime

from ..i18n import DEFAULT_LOCALE, LOCALES, current_locale, translations_for
from ..i18n import lazy_gettext as _l
from ..spapi.constants import MARKETPLACE_TZ


def cli_locale() -> str:
    wanted = (os.environ.get("AMAZON_TR_LOCALE") or "").strip().lower()
    if wanted in LOCALES:
        return wanted
    try:
        return current_locale()
    except Exception:  # noqa: BLE001 - a host's locale selector may need a request; the CLI has none
        return DEFAULT_LOCALE


def gettext(msgid: str, /, **variables) -> str:
    text = translations_for(cli_locale()).ugettext(msgid)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, /, **variables) -> str:
    variables.setdefault("num", num)
    return translations_for(cli_locale()).ungettext(singular, plural, num) % variables


def say(message) -> str:
    """A service's message (a lazy string or text) in the CLI's language."""
    msgid = getattr(message, "_message", None)
    if msgid is None:
        return str(message)
    return gettext(msgid, **(getattr(message, "_variables", None) or {}))



# The same words as the scheduler box and the store list (one msgid, one Turkish text).
KINDS = {"orders": _l("Order import"), "products": _l("Product update"), "feeds": _l("Feed check"),
         "shipments": _l("Shipment confirmation"), "purge": _l("Personal data purge"),
         "authorizations": _l("Authorization check")}
REASONS = {"passive": _l("Store is passive"), "paused": _l("Paused"), "off": _l("Switched off for this store"),
           "unauthorized": _l("Not authorized")}
ROLES = {"leader": _l("this process runs the schedule"), "follower": _l("this process waits (another one leads)"),
         "off": _l("this process does not run the schedule (AMAZON_TR_SCHEDULER is off)")}
RUN_STATES = {"done": _l("Successful"), "failed": _l("Failed"), "running": _l("Running"), "skipped": _l("Skipped")}
AUTH_STATES = {"none": _l("Not authorized"), "ok": _l("Authorized"), "expiring": _l("Authorized (renew soon)"),
               "revoked": _l("Authorization revoked: authorize again"),
               "mismatch": _l("Authorized by another seller: authorize again")}


def label(table: dict, code) -> str:
    """A code's words in the CLI's language; a code without words is shown as it is."""
    return say(table[code]) if code in table else str(code)


def when(value: datetime | None) -> str:
    """A moment in Istanbul time, written as the admin pages write it (stored times are UTC)."""
    if value is None:
        return "—"
    return format_datetime(value, "d MMM y HH:mm:ss", tzinfo=MARKETPLACE_TZ,
                           locale="tr_TR" if cli_locale() == "tr" else "en_GB")
