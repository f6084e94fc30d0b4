"""``tumbuh erase …`` and ``tumbuh keys rotate-master``: an operator erases a person's
personal data at her request, and rotates the master key (docs/audit.md, "Erasure")."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli.identity import installation, keys

if TYPE_CHECKING:
    from api.identity.access import Principal
    from api.personal import erasure
    from api.services import Services

erase = typer.Typer(
    help="Erase a person's personal data at her request (UU PDP).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
Reason = Annotated[str, typer.Option("--reason", help="The request's reference, not her name.")]


def _operator() -> Principal:
    """The operator at the console: every scope, everywhere."""
    from api.identity.access import Principal
    from domain.access import SCOPES, Reach, Role

    return Principal(
        id="operator",
        role=Role.ADMIN,
        scopes=frozenset(SCOPES),
        reach=Reach(("*",)),
        client="tumbuh-cli",
        issuer="local",
    )


def _erase(target: Callable[[Services], erasure.Target], reason: str) -> None:
    from api.identity.accounts import operator_meta
    from api.personal import erasure

    with installation() as services:
        done = erasure.erase(services, target(services), reason, operator_meta())
    typer.echo(
        f"erased the {done.target.subject} of {done.target.stream_id}: {len(done.keys)} keys "
        f"destroyed, named in {len(done.streams)} records; recorded at position {done.position}"
    )
    if not done.compaction.complete:
        typer.echo(f"not yet cleared from the key table's files: {done.compaction.how}", err=True)


@erase.command("child")
def erase_child(
    child_id: str,
    reason: Reason,
    mother: Annotated[bool, typer.Option("--mother", help="Erase the child's mother.")] = False,
) -> None:
    """Erase a child's personal data (or, with --mother, its mother's, everywhere)."""
    from api.personal import erasure

    subject = "mother" if mother else "child"
    _erase(lambda s: erasure.child(s, _operator(), child_id, subject), reason)


@erase.command("family")
def erase_family(
    family_id: str,
    reason: Reason,
    mother: Annotated[str | None, typer.Option("--mother", help="A mother's id.")] = None,
) -> None:
    """Erase a family head's personal data (or, with --mother ID, that mother's)."""
    from api.personal import erasure

    subject = "head" if mother is None else f"mother-{mother}"
    _erase(lambda s: erasure.family(s, _operator(), family_id, subject), reason)


@erase.command("sponsor")
def erase_sponsor(sponsor_id: str, reason: Reason) -> None:
    """Erase a sponsor's personal data (an individual's name, a contact)."""
    from api.personal import erasure

    _erase(lambda s: erasure.sponsor(s, _operator(), sponsor_id), reason)


@erase.command("official")
def erase_official(meeting_id: str, number: int, reason: Reason) -> None:
    """Erase the NUMBER-th official named at a meeting, in every meeting naming him."""
    from api.personal import erasure

    _erase(lambda s: erasure.official(s, _operator(), meeting_id, number), reason)


@keys.command("rotate-master")
def rotate_master(
    new_key_stdin: Annotated[
        bool, typer.Option("--new-key-stdin", help="Read the new key (base64) from stdin.")
    ] = False,
) -> None:
    """Wrap every live data key under a new master key (stop other processes first)."""
    from api.personal.master_key import decode, rotate
    from api.settings import Settings

    settings = Settings()
    new_key = decode(sys.stdin.readline(), "the new key") if new_key_stdin else None
    with installation() as services:
        try:
            done = rotate(settings, services.store, new_key)
        except ValueError as refused:
            typer.echo(f"refused: {refused}", err=True)
            raise typer.Exit(code=1) from None
    typer.echo(f"rotated: {done.rewrapped} data keys wrapped under the new master key; {done.then}")
