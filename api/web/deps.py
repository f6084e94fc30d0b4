"""FastAPI dependencies as ``Annotated`` aliases (``ServicesDep``, ``StoreDep``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.services import Services
from events.store import SqlEventStore


# Coroutines, though they never wait: FastAPI runs a plain function dependency in its
# thread pool, a hand-off per dependency per request.
async def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def _store(request: Request) -> SqlEventStore:
    services: Services = request.app.state.services
    return services.store


ServicesDep = Annotated[Services, Depends(_services)]
StoreDep = Annotated[SqlEventStore, Depends(_store)]
