"""Runs the sandbox on a real socket, for tests, the demo and the CLI."""
from __future__ import annotations

import logging
import threading

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from .app import create_sandbox_app
from .seed import SANDBOX_APP_ID, SANDBOX_CLIENT_ID, TR_SELLER_ID
from .state import SandboxState

log = logging.getLogger(__name__)


class _QuietHandler(WSGIRequestHandler):
    # test runs would drown in one access-log line per request
    def log_request(self, *args: object, **kwargs: object) -> None:
        pass


class SandboxServer:
    def __init__(self, app: Flask | None = None, *, state: SandboxState | None = None,
                 host: str = "127.0.0.1", port: int = 0, quiet: bool = True) -> None:
        if app is None:
            app = create_sandbox_app(state)
        self.app = app
        self.state: SandboxState = app.extensions["amazon_tr_sandbox"]["state"]
        self.host = host
        self.port = port
        self._server = None
        self._thread: threading.Thread | None = None
        self.url: str | None = None
        self.quiet = quiet

    def start(self) -> str:
        if self._server is not None:
            return self.url  # type: ignore[return-value]
        self._server = make_server(self.host, self.port, self.app, threaded=True,
                                   request_handler=_QuietHandler if self.quiet else None)
        self.port = self._server.server_port
        self.url = f"http://{self.host}:{self.port}"
        # a short poll keeps stop() fast; fixtures start one server per test
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name=f"amazon-tr-sandbox:{self.port}", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> "SandboxServer":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(port: int = 8765, host: str = "127.0.0.1") -> None:
    """Serve the sandbox in the foreground until interrupted (flask amazon sandbox)."""
    server = SandboxServer(host=host, port=port, quiet=False)
    url = server.start()
    print(f"Amazon TR sandbox: {url}")
    print(f"  application_id={SANDBOX_APP_ID} client_id={SANDBOX_CLIENT_ID} seller={TR_SELLER_ID}")
    print(f"  consent page: {url}/apps/authorize/consent?application_id={SANDBOX_APP_ID}")
    try:
        assert server._thread is not None
        while server._thread.is_alive():
            server._thread.join(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
