"""The roles table and the reach check: who may do what, and where."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.access import (
    CLIENT_ROLES,
    ROLE_SCOPES,
    SCOPES,
    Reach,
    Role,
    ScopeAboveRole,
    UnknownScope,
    ceiling,
    parse_scopes,
    scope_text,
    scopes_for,
)


def test_admin_holds_every_scope() -> None:
    assert ROLE_SCOPES[Role.ADMIN] == frozenset(SCOPES)
    assert "principals:admin" in ROLE_SCOPES[Role.ADMIN]


def test_field_roles_read_personal_data_but_kecamatan_does_not() -> None:
    field_roles = (Role.KADER, Role.BIDAN, Role.TPK, Role.TPPS)

    assert all("pii:read" in ROLE_SCOPES[r] for r in field_roles)
    assert "pii:read" not in ROLE_SCOPES[Role.KECAMATAN]


def test_an_auditor_reads_the_log_but_personal_data_only_if_granted() -> None:
    assert ROLE_SCOPES[Role.AUDITOR] == {
        "areas:read",
        "children:read",
        "events:read",
        "meetings:read",
        "sponsors:read",
    }


def test_every_role_maps_only_to_known_scopes() -> None:
    assert all(scopes <= SCOPES.keys() for scopes in ROLE_SCOPES.values())
    assert set(ROLE_SCOPES) == set(Role)


def test_an_integrator_holds_only_what_it_is_granted() -> None:
    assert scopes_for(Role.INTEGRATOR) == frozenset()
    assert scopes_for(Role.INTEGRATOR, ["areas:read"]) == {"areas:read"}
    assert {Role.INTEGRATOR, Role.BKKBN} == CLIENT_ROLES


def test_an_unknown_scope_is_refused_by_name() -> None:
    with pytest.raises(UnknownScope, match="children:delete"):
        parse_scopes(["children:read", "children:delete"])


def test_scope_text_is_sorted_and_space_separated() -> None:
    assert scope_text({"pii:read", "areas:read"}) == "areas:read pii:read"


def test_a_reach_covers_the_areas_under_its_prefixes() -> None:
    reach = Reach.of(["3279021001", "32.79.04"])

    assert reach.prefixes == ("32.79.02.1001", "32.79.04")
    assert reach.covers("32.79.04.2001")
    assert not reach.covers("32.79.01.1001")


def test_a_resource_without_an_area_is_only_within_reach_of_everywhere() -> None:
    assert not Reach.of(["32.79"]).covers(None)
    assert Reach.of(["*"]).covers(None)


def test_filter_keeps_only_items_inside_the_reach() -> None:
    reach = Reach.of(["32.79.02"])
    desa = ["32.79.02.1001", "32.79.03.1001", "32.79.02.2003"]

    kept = list(reach.filter(desa, lambda code: code))

    assert kept == ["32.79.02.1001", "32.79.02.2003"]


def test_the_roles_table_in_the_docs_is_the_one_in_the_code() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "identity.md").read_text()

    for role in set(Role) - {Role.ADMIN, Role.INTEGRATOR}:
        row = next(line for line in doc.splitlines() if line.startswith(f"| `{role.value}`"))
        listed = row.split("|")[2].split("`")[1].split()
        assert frozenset(listed) == ROLE_SCOPES[role], role


def test_read_reach_overlaps_while_write_reach_holds_every_area() -> None:
    camat = Reach.of(["32.79.02"])

    assert camat.sees(["32.79"])  # the kota's rakor
    assert camat.sees(["32.79.01", "32.79.02.1001"])
    assert not camat.sees(["32.79.01"])
    assert camat.changes(["32.79.02", "32.79.02.1001"])
    assert not camat.changes(["32.79"])  # a parent area is not inside a child's reach
    assert not camat.changes(["32.79.01", "32.79.02"])  # partly outside


def test_a_target_without_areas_is_installation_wide() -> None:
    assert not Reach.of(["32.79"]).sees([])
    assert not Reach.of(["32.79"]).changes([])
    assert Reach.of(["*"]).sees([])
    assert Reach.of(["*"]).changes([])


def test_a_roles_defaults_are_its_ceiling_except_for_the_auditor_and_clients() -> None:
    assert ceiling(Role.SPONSOR) == {"sponsors:read"}
    assert ceiling(Role.KADER) == ROLE_SCOPES[Role.KADER]
    assert ceiling(Role.AUDITOR) == ceiling(Role.INTEGRATOR) == frozenset(SCOPES)
    with pytest.raises(ScopeAboveRole, match="children:read"):
        scopes_for(Role.SPONSOR, ["sponsors:read", "children:read"])
