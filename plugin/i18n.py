"""The plugin's own gettext domain.

Messages are English in code and Turkish in ``translations/tr/LC_MESSAGES/amazon_tr.po``.
The catalog is compiled from the committed .po when first used, in memory, so a
stale .mo can never be served and the host's own translations are never touched.
"""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import current_app, has_app_context
from markupsafe import Markup

from .state import maybe_state

DOMAIN = "amazon_tr"
LOCALES = ("tr", "en")
DEFAULT_LOCALE = "tr"
CATALOG_DIR = Path(__file__).with_name("translations")


def po_paths(locale: str) -> list[Path]:
    """The catalog of a locale: ``amazon_tr.po`` plus one ``amazon_tr.<part>.po`` per capability."""
    folder = CATALOG_DIR / locale / "LC_MESSAGES"
    main = folder / f"{DOMAIN}.po"
    parts = sorted(folder.glob(f"{DOMAIN}.*.po"))
    return ([main] if main.exists() else []) + parts


def read_catalog(locale: str):
    paths = po_paths(locale)
    if not paths:
        return None
    with paths[0].open("rb") as fh:
        catalog = read_po(fh, locale=locale, domain=DOMAIN)
    for path in paths[1:]:
        with path.open("rb") as fh:
            for message in read_po(fh, locale=locale, domain=DOMAIN):
                if message.id:
                    catalog[message.id] = message
    return catalog


@lru_cache(maxsize=None)
def translations_for(locale: str):
    catalog = read_catalog(locale)
    if catalog is None:
        return NullTranslations()
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


def current_locale() -> str:
    if not has_app_context():
        return DEFAULT_LOCALE
    app = current_app._get_current_object()
    state = maybe_state(app)
    selector = getattr(state, "locale_selector", None)
    locale = selector() if selector else app.config.get("AMAZON_TR_LOCALE", DEFAULT_LOCALE)
    return locale if locale in LOCALES else DEFAULT_LOCALE


# The message id is positional-only, so a placeholder may be named anything, "message" included
# (``_("Amazon refused access: %(message)s", message=...)`` once raised TypeError and gave a 500).
def gettext(msgid: str, /, **variables) -> str:
    text = translations_for(current_locale()).ugettext(msgid)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, /, **variables) -> str:
    variables.setdefault("num", num)
    text = translations_for(current_locale()).ungettext(singular, plural, num)
    return text % variables


def in_turkish(message) -> str:
    """Text that is stored (run errors, notes on links and packages) is kept in Turkish, the shop
    staff's language, whatever the locale of the page or job that wrote it."""
    text = translations_for("tr").ugettext(getattr(message, "_message", str(message)))
    variables = getattr(message, "_variables", None)
    return text % variables if variables else text


class LazyString:
    """A message translated when it is turned into text (form labels, validators)."""

    __slots__ = ("_message", "_variables")

    def __init__(self, msgid: str, /, **variables) -> None:
        self._message = msgid
        self._variables = variables

    def __str__(self) -> str:
        return gettext(self._message, **self._variables)

    def __html__(self) -> str:
        return str(Markup.escape(str(self)))

    def __mod__(self, other) -> str:
        return str(self) % other

    def __add__(self, other) -> str:
        return str(self) + str(other)

    def __radd__(self, other) -> str:
        return str(other) + str(self)

    def __eq__(self, other) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(self._message)

    def __len__(self) -> int:
        return len(str(self))

    def __contains__(self, item) -> bool:
        return item in str(self)

    def __getattr__(self, name):
        return getattr(str(self), name)

    def __repr__(self) -> str:
        return f"l_({self._message!r})"


def lazy_gettext(msgid: str, /, **variables) -> LazyString:
    return LazyString(msgid, **variables)


_ = gettext
_l = lazy_gettext
