"""``tumbuh principals …`` and ``tumbuh keys …``: operators manage users, clients and keys.

Every command works on the store ``TUMBUH_DATABASE_URL`` names. A password is read from
standard input (``--password-stdin``) or prompted for twice; it is never an argument, so it
stays out of shell history and process lists. A client secret is printed once. Like every
command, these import the application only when they run.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from domain.roles import Role

if TYPE_CHECKING:
    from api.services import Services
    from domain.principal.commands import PrincipalCommand

principals = typer.Typer(
    help="Users and clients: who may do what, and where.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
keys = typer.Typer(
    help="The keys that sign access tokens, and the master key.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

Wilayah = Annotated[
    list[str],
    typer.Option("--wilayah", metavar="PREFIX", help="Area prefix, e.g. 32.79 (repeat)."),
]
Scopes = Annotated[
    list[str] | None,
    typer.Option("--scope", metavar="SCOPE", help="Scope (repeat); default: the role's."),
]
RoleOption = Annotated[Role, typer.Option("--role", help="The principal's role.")]
AnyRole = Annotated[Role | None, typer.Option("--role", help="A role.")]
Name = Annotated[str, typer.Argument(metavar="NAME", help="The user's or client's name.")]
Username = Annotated[str, typer.Argument(metavar="USERNAME", help="The user's login name.")]
FromStdin = Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")]


@contextmanager
def installation() -> Iterator[Services]:
    """The installation TUMBUH_DATABASE_URL names, started; a refusal (a domain rule, a weak
    password) exits 1 with its reason."""
    from api.identity.passwords import WeakPassword
    from api.services import build_services
    from api.settings import Settings
    from domain.fact import DomainError

    services = build_services(Settings())
    try:
        services.start()
        yield services
    except (DomainError, WeakPassword) as refusal:
        typer.echo(f"refused: {getattr(refusal, 'detail', refusal)}", err=True)
        raise typer.Exit(code=1) from None
    finally:
        services.close()


def _password(from_stdin: bool) -> str:
    from api.identity.passwords import WeakPassword, check_password

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        check_password(password)
    except WeakPassword as refusal:
        typer.echo(f"refused: {refusal}", err=True)
        raise typer.Exit(code=1) from None
    return password


@principals.command("add-user")
def add_user(
    username: Username,
    role: RoleOption,
    wilayah: Wilayah,
    scope: Scopes = None,
    password_stdin: FromStdin = False,
) -> None:
    """Register a person who logs in with a username and password."""
    from api.identity.accounts import operator_meta

    password = _password(password_stdin)
    with installation() as services:
        services.principals.add_user(
            username, role, wilayah, password=password, meta=operator_meta(), scopes=scope
        )
    typer.echo(f"added user {username} ({role.value})")


@principals.command("add-client")
def add_client(name: Name, role: RoleOption, wilayah: Wilayah, scope: Scopes = None) -> None:
    """Register a machine client; its secret is printed once, keep it safe."""
    from api.identity.accounts import operator_meta

    with installation() as services:
        secret = services.principals.add_client(
            name, role, wilayah, meta=operator_meta(), scopes=scope
        )
    typer.echo(f"added client {name} ({role.value}); its secret, shown only now:")
    typer.echo(secret)


@principals.command("list")
def list_principals() -> None:
    """Every principal with its role, scopes, reach and whether it is disabled."""
    with installation() as services:
        records = services.principals.all()
    for record in records:
        s = record.state
        flag = " DISABLED" if s.disabled else ""
        typer.echo(
            f"{s.name}\t{s.kind.value}\t{s.role.value if s.role else '-'}\t"
            f"{' '.join(s.reach)}\t{' '.join(sorted(s.scopes))}{flag}"
        )


def _change(name: str, make: Callable[[], PrincipalCommand], done: str) -> None:
    from api.identity.accounts import operator_meta

    with installation() as services:
        services.principals.change(name, make(), operator_meta())
    typer.echo(f"{name}: {done}")


@principals.command()
def disable(name: Name) -> None:
    """Stop a principal from logging in; its tokens stop working at once."""
    from domain.principal import commands as c
    from events import timefmt

    _change(name, lambda: c.Disable(at=timefmt.utc_now()), "disabled")


@principals.command()
def enable(name: Name) -> None:
    """Let a disabled principal log in again."""
    from domain.principal import commands as c
    from events import timefmt

    _change(name, lambda: c.Enable(at=timefmt.utc_now()), "enabled")


@principals.command()
def grant(name: Name, role: AnyRole = None, scope: Scopes = None) -> None:
    """Give a role (with --scope: only those scopes) or, without --role, add scopes."""
    from domain.principal import commands as c
    from events import timefmt

    if role is not None:
        _change(
            name,
            lambda: c.GrantRole(
                at=timefmt.utc_now(), role=role, scopes=tuple(scope) if scope else None
            ),
            "granted",
        )
    elif scope:
        _change(name, lambda: c.GrantScopes(at=timefmt.utc_now(), scopes=tuple(scope)), "granted")
    else:
        raise typer.BadParameter("name a --role or at least one --scope")


@principals.command()
def revoke(name: Name, role: AnyRole = None, scope: Scopes = None) -> None:
    """Take a role away (and with it every scope), or take scopes away."""
    from domain.principal import commands as c
    from events import timefmt

    if role is not None:
        _change(name, lambda: c.RevokeRole(at=timefmt.utc_now(), role=role), "revoked")
    elif scope:
        _change(name, lambda: c.RevokeScopes(at=timefmt.utc_now(), scopes=tuple(scope)), "revoked")
    else:
        raise typer.BadParameter("name a --role or at least one --scope")


@principals.command("set-reach")
def set_reach(name: Name, wilayah: Wilayah) -> None:
    """Set the areas a principal reaches."""
    from domain.principal import commands as c
    from events import timefmt

    _change(
        name, lambda: c.ChangeReach(at=timefmt.utc_now(), reach=tuple(wilayah)), "reach changed"
    )


@principals.command("set-password")
def set_password(username: Username, password_stdin: FromStdin = False) -> None:
    """Give a user a new password; its sessions end."""
    from api.identity.accounts import operator_meta

    password = _password(password_stdin)
    with installation() as services:
        services.principals.set_password(username, password, operator_meta())
    typer.echo(f"{username}: password changed")


@principals.command("rotate-secret")
def rotate_secret(name: Name) -> None:
    """Give a client a new secret, printed once; the old one stops working."""
    from api.identity.accounts import operator_meta

    with installation() as services:
        secret = services.principals.rotate_secret(name, operator_meta())
    typer.echo(f"{name}: new secret, shown only now:")
    typer.echo(secret)


@keys.command()
def rotate() -> None:
    """Add a new signing key; the previous one verifies until its tokens have expired."""
    from api.identity.keys import KeysAreConfigured, KeySource
    from api.settings import Settings
    from events import timefmt

    settings = Settings()
    try:
        KeySource(settings).rotate(timefmt.utc_now())
    except KeysAreConfigured as refusal:
        typer.echo(f"refused: {refusal}; replace the configured files instead", err=True)
        raise typer.Exit(code=1) from None
    typer.echo("rotated: new tokens are signed with the new key; running servers pick it up")
