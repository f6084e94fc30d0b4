"""A webhook receiver on loopback that can fail on purpose: answer 500, be slow (past the
sender's timeout), close the connection without answering, or be down altogether."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Mode = str  # "ok", "500", "slow", "close"


class Receiver:
    """Records every request it accepts (2xx) in arrival order; ``fail`` decides per event."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.bodies: list[bytes] = []
        self.fail: Callable[[dict[str, Any]], Mode] = lambda _: "ok"
        self.slow_seconds = 1.0
        self._server: ThreadingHTTPServer | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """Where it listens."""
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        """Listen (on the same port as before after a ``stop``)."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                event = json.loads(body)
                mode = receiver.fail(event)
                if mode == "close":
                    self.close_connection = True
                    self.connection.close()
                    return
                if mode == "slow":
                    time.sleep(receiver.slow_seconds)
                if mode == "500":
                    self.send_response(500)
                    self.end_headers()
                    return
                receiver.received.append(event)
                receiver.headers.append({k.lower(): v for k, v in self.headers.items()})
                receiver.bodies.append(body)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Go down: connections are refused until ``start`` again."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def unique_ids(self) -> list[str]:
        """The event ids received, each once, in first-arrival order."""
        return list(dict.fromkeys(str(e["id"]) for e in self.received))
