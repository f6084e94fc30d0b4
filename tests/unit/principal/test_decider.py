"""The principal aggregate: given its history, a command leads to facts or a refusal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.access import ROLE_SCOPES, Role
from domain.fact import DomainError, Fact, NotFound, StateConflict
from domain.principal import commands as c
from domain.principal import events as e
from domain.principal.decider import PrincipalDecider, PrincipalState, stream_id
from tests.support.deciders import folded

AT = datetime(2025, 5, 10, 3, 0, tzinfo=UTC)
HASH = "$argon2id$v=19$m=24576,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"
DESA = "32.79.02.1001"
decider = PrincipalDecider()


def created(
    role: Role = Role.KADER, kind: e.PrincipalKind = e.PrincipalKind.USER
) -> e.PrincipalCreated:
    return e.PrincipalCreated(
        occurred_at=AT,
        kind=kind,
        name="kader-pataruman",
        role=role,
        scopes=tuple(sorted(ROLE_SCOPES[role])),
        reach=(DESA,),
        secret_hash=HASH,
    )


def given(*facts: Fact) -> PrincipalState:
    return folded(decider, *facts)


def create(**changes: object) -> c.CreatePrincipal:
    fields: dict[str, object] = {
        "at": AT,
        "kind": e.PrincipalKind.USER,
        "name": "kader-pataruman",
        "role": Role.KADER,
        "reach": ("3279021001",),
        "secret_hash": HASH,
    }
    return c.CreatePrincipal.model_validate(fields | changes)


def test_creating_a_user_records_the_role_defaults_and_the_canonical_reach() -> None:
    facts = decider.decide(create(), given())

    assert facts == [created()]


def test_a_principal_may_be_created_with_fewer_scopes_than_its_role_has() -> None:
    facts = decider.decide(create(scopes=("children:read",)), given())

    assert isinstance(facts[0], e.PrincipalCreated)
    assert facts[0].scopes == ("children:read",)


def test_a_name_is_taken_once() -> None:
    with pytest.raises(StateConflict):
        decider.decide(create(), given(created()))


@pytest.mark.parametrize("name", ["ab", "Kader", "kader pataruman", "-kader", "x" * 64])
def test_a_name_outside_the_allowed_shape_is_refused(name: str) -> None:
    with pytest.raises(DomainError) as refusal:
        decider.decide(create(name=name), given())

    assert refusal.value.field == "name"


def test_a_user_cannot_have_a_client_role_nor_a_client_a_user_role() -> None:
    with pytest.raises(DomainError, match="roles"):
        decider.decide(create(role=Role.BKKBN), given())
    with pytest.raises(DomainError, match="roles"):
        decider.decide(create(kind=e.PrincipalKind.CLIENT, role=Role.KADER), given())


def test_a_plain_password_never_reaches_the_log() -> None:
    with pytest.raises(DomainError) as refusal:
        decider.decide(create(secret_hash="hunter2-plain"), given())

    assert refusal.value.field == "secret_hash"


def test_a_principal_needs_an_area() -> None:
    with pytest.raises(DomainError) as refusal:
        decider.decide(create(reach=()), given())

    assert refusal.value.field == "reach"


def test_commands_to_a_principal_that_does_not_exist_are_not_found() -> None:
    with pytest.raises(NotFound):
        decider.decide(c.Disable(at=AT), given())


def test_granting_a_role_replaces_the_role_and_its_scopes() -> None:
    facts = decider.decide(c.GrantRole(at=AT, role=Role.TPPS), given(created()))

    assert facts == [
        e.RoleGranted(occurred_at=AT, role=Role.TPPS, scopes=tuple(sorted(ROLE_SCOPES[Role.TPPS])))
    ]


def test_granting_the_role_held_with_the_same_scopes_changes_nothing() -> None:
    facts = decider.decide(c.GrantRole(at=AT, role=Role.KADER), given(created()))

    assert facts == []


def test_revoking_the_role_leaves_no_scope() -> None:
    state = given(created(), e.RoleRevoked(occurred_at=AT, role=Role.KADER))

    assert state.role is None
    assert state.scopes == frozenset()


def test_revoking_a_role_not_held_is_a_conflict() -> None:
    with pytest.raises(StateConflict):
        decider.decide(c.RevokeRole(at=AT, role=Role.TPPS), given(created()))


def test_scopes_granted_are_only_those_not_held_already() -> None:
    narrowed = e.ScopesRevoked(occurred_at=AT, scopes=("areas:read",))
    command = c.GrantScopes(at=AT, scopes=("areas:read", "children:read"))

    facts = decider.decide(command, given(created(), narrowed))

    assert facts == [e.ScopesGranted(occurred_at=AT, scopes=("areas:read",))]


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.SPONSOR, "children:read"),
        (Role.KADER, "events:read"),
        (Role.KECAMATAN, "pii:read"),
        (Role.TPPS, "principals:admin"),
    ],
)
def test_a_role_s_defaults_are_its_ceiling_whichever_way_a_scope_is_granted(
    role: Role, scope: str
) -> None:
    history = given(created(role))
    ways = [
        c.GrantScopes(at=AT, scopes=(scope,)),
        c.GrantRole(at=AT, role=role, scopes=(scope,)),
    ]

    for command in ways:
        with pytest.raises(DomainError, match=scope) as refusal:
            decider.decide(command, history)
        assert refusal.value.field == "scope"
    with pytest.raises(DomainError, match=scope):
        decider.decide(create(role=role, scopes=(scope,)), given())


def test_an_auditor_and_a_client_may_be_granted_beyond_their_defaults() -> None:
    auditor = given(created(Role.AUDITOR))
    client = given(created(Role.INTEGRATOR, e.PrincipalKind.CLIENT))

    to_auditor = decider.decide(c.GrantScopes(at=AT, scopes=("pii:read",)), auditor)
    to_client = decider.decide(c.GrantScopes(at=AT, scopes=("children:read",)), client)

    assert to_auditor == [e.ScopesGranted(occurred_at=AT, scopes=("pii:read",))]
    assert to_client == [e.ScopesGranted(occurred_at=AT, scopes=("children:read",))]


def test_scopes_cannot_be_granted_without_a_role() -> None:
    history = given(created(), e.RoleRevoked(occurred_at=AT, role=Role.KADER))

    with pytest.raises(StateConflict):
        decider.decide(c.GrantScopes(at=AT, scopes=("areas:read",)), history)


def test_revoking_scopes_removes_only_those_held() -> None:
    command = c.RevokeScopes(at=AT, scopes=("pii:read", "events:read"))

    facts = decider.decide(command, given(created()))
    state = given(created(), *facts)

    assert facts == [e.ScopesRevoked(occurred_at=AT, scopes=("pii:read",))]
    assert "pii:read" not in state.scopes


def test_changing_the_reach_records_it_in_canonical_form() -> None:
    command = c.ChangeReach(at=AT, reach=("327902", "3279021001"))

    facts = decider.decide(command, given(created()))

    assert facts == [e.ReachChanged(occurred_at=AT, reach=("32.79.02",))]


def test_a_user_changes_a_password_and_a_client_rotates_a_secret() -> None:
    new_hash = HASH.replace("aGFz", "bmV3")
    client = created(Role.BKKBN, e.PrincipalKind.CLIENT)

    user_facts = decider.decide(c.ChangePassword(at=AT, secret_hash=new_hash), given(created()))
    client_facts = decider.decide(c.RotateSecret(at=AT, secret_hash=new_hash), given(client))

    assert given(created(), *user_facts).secret_hash == new_hash
    assert given(client, *client_facts).secret_hash == new_hash
    with pytest.raises(DomainError):
        decider.decide(c.RotateSecret(at=AT, secret_hash=new_hash), given(created()))


def test_disabling_twice_is_a_conflict_and_enabling_undoes_it() -> None:
    disabled = given(created(), e.PrincipalDisabled(occurred_at=AT))

    with pytest.raises(StateConflict):
        decider.decide(c.Disable(at=AT), disabled)
    facts = decider.decide(c.Enable(at=AT), disabled)

    assert disabled.disabled
    assert not given(created(), e.PrincipalDisabled(occurred_at=AT), *facts).disabled


def test_a_principal_has_one_stream_per_name() -> None:
    assert stream_id("kader-pataruman") == "principal-kader-pataruman"
