"""A local stand-in for Amazon (LWA, Seller Central consent, SP-API).

Written from Amazon's official models so the plugin can be tested and
demonstrated with no Amazon account; pointing at Amazon is configuration.
"""
from .app import create_sandbox_app
from .server import SandboxServer
from .state import SandboxState

__all__ = ["create_sandbox_app", "SandboxServer", "SandboxState"]
