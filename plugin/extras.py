"""Optional extras of the plugin, imported only when they are asked for."""
from __future__ import annotations

import importlib

from .errors import AmazonTRError


class SandboxMissing(AmazonTRError):
    """AMAZON_TR_SANDBOX=local (or ``flask amazon sandbox``) without the sandbox extra."""


def load_sandbox(part: str = ""):
    """The sandbox package (or one of its modules), imported only when it is asked for.

    The runtime never imports the sandbox: it is a test tool behind the ``sandbox``
    extra, and its jsonschema dependency is not installed with the plugin.
    """
    name = f"{__package__}.sandbox" + (f".{part}" if part else "")
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise SandboxMissing(
            "AMAZON_TR_SANDBOX=local needs the local sandbox: pip install 'flask-amazon-tr[sandbox]' "
            f"({exc})") from exc
