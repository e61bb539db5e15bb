#!/usr/bin/env python3
"""Keep the Turkish catalog in step with the code.

    python scripts/i18n.py check    # exit 1 if a message in code has no Turkish text
    python scripts/i18n.py update   # add new messages to the .po (empty), drop removed ones

The plugin compiles the .po in memory when it starts; no .mo is ever built.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "plugin" / "translations" / "tr" / "LC_MESSAGES" / "amazon_tr.po"
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "_", "-k", "gettext", "-k", "ngettext:1,2"]


def extract():
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "amazon_tr.pot"
        subprocess.run(
            [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"), *KEYWORDS,
             "--no-location", "--sort-output", "--project=flask-amazon-tr", "-o", str(pot), str(ROOT)],
            check=True, capture_output=True,
        )
        with pot.open("rb") as fh:
            return read_po(fh)


def load_po():
    sys.path.insert(0, str(ROOT))
    from flask_amazon_tr.i18n import read_catalog

    return read_catalog("tr")


def missing(template, catalog):
    return [m.id for m in template if m.id and (m.id not in catalog or not catalog[m.id].string)]


def main(argv):
    cmd = argv[1] if len(argv) > 1 else "check"
    template = extract()
    catalog = load_po()
    if cmd == "update":
        # New messages go to the main catalog; part files (amazon_tr.<part>.po) are kept as they are.
        with PO.open("rb") as fh:
            main = read_po(fh, locale="tr")
        for message in template:
            if message.id and message.id not in catalog:
                main.add(message.id, "")
        with PO.open("wb") as fh:
            write_po(fh, main, omit_header=False, sort_output=True, no_location=True, width=0)
        catalog = load_po()
    gaps = missing(template, catalog)
    for msgid in gaps:
        print(f"no Turkish text: {msgid!r}")
    return 1 if gaps and cmd == "check" else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
