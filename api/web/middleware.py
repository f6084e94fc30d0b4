"""Headers every answer carries, so that a browser neither guesses types, frames the
service, nor keeps personal data in a cache.

- ``X-Content-Type-Options: nosniff``: an answer is only what its ``Content-Type`` says
  (a CSV or Markdown minutes are never run as a script);
- ``Content-Security-Policy: frame-ancestors 'none'``: no page may frame the service
  (clickjacking of the interactive docs or the printable minutes);
- ``Cache-Control: no-store``: nothing is kept by a browser or a proxy, every answer to an
  authenticated request included, unless the route states its own caching for an answer
  without personal data (the WHO growth curves: ``private, max-age=86400``, out of shared
  caches).

An unexpected error's 500 is answered outside the middleware stack; ``api/web/errors.py`` adds
the same headers to it.
"""

from __future__ import annotations

from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALWAYS: Final = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "frame-ancestors 'none'",
}
NO_STORE: Final = "no-store"


def add_to(headers: MutableHeaders) -> None:
    """Set the headers an answer lacks (a route's own caching is kept)."""
    for name, value in ALWAYS.items():
        headers.setdefault(name, value)
    headers.setdefault("Cache-Control", NO_STORE)


class SecurityHeaders:
    """ASGI middleware: ``add_to`` on the start of every HTTP answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_to(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, sending)
