"""FastAPI dependencies as ``Annotated`` aliases (``ServicesDep``, ``StoreDep``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.services import Services
from events.store import SqlEventStore


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _store(request: Request) -> SqlEventStore:
    return _services(request).store


ServicesDep = Annotated[Services, Depends(_services)]
StoreDep = Annotated[SqlEventStore, Depends(_store)]
