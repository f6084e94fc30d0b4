"""The meeting and resolution deciders: each rule of the issue, without storage."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain.fact import DomainError, NotFound, StateConflict
from domain.meeting import commands as c
from domain.meeting import events as e
from domain.meeting.decider import (
    MeetingDecider,
    MeetingState,
    MeetingStatus,
    ResolutionDecider,
    ResolutionState,
    ResolutionStatus,
)
from tests.support.deciders import decided

AT = datetime(2025, 7, 20, 3, tzinfo=UTC)
meetings, resolutions = MeetingDecider(), ResolutionDecider()


def run_meeting(*commands: c.MeetingCommand) -> MeetingState:
    return decided(meetings, *commands)


def plan(**changes: Any) -> c.PlanMeeting:
    fields: dict[str, Any] = {
        "at": AT,
        "level": e.Level.KECAMATAN,
        "area": "32.79.02",
        "date": date(2025, 7, 15),
        "title": "Rakor  kecamatan",
        "organiser": "Kecamatan Pataruman",
    }
    return c.PlanMeeting(**(fields | changes))


def held() -> MeetingState:
    return run_meeting(plan(), c.HoldMeeting(at=AT, minutes="Dibuka pukul 09.00."))


def adopt(meeting: MeetingState, **changes: Any) -> c.AdoptResolution:
    facts = c.MeetingFacts(
        id="m-1",
        status=meeting.status.value,
        date=meeting.held_on or meeting.date,
        area=meeting.area,
    )
    fields: dict[str, Any] = {
        "at": AT,
        "meeting": facts,
        "text": "Sweeping balita",
        "office": "Puskesmas Pataruman",
        "due": date(2025, 9, 30),
        "areas": ("32.79.02.1001",),
    }
    return c.AdoptResolution(**(fields | changes))


def run_resolution(*commands: c.ResolutionCommand) -> ResolutionState:
    return decided(resolutions, *commands)


def test_a_planned_meeting_is_held_with_its_minutes_and_squeezed_title() -> None:
    state = held()

    assert (state.status, state.held_on, state.title) == (
        MeetingStatus.HELD,
        date(2025, 7, 15),
        "Rakor kecamatan",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"level": e.Level.KOTA}, "area"),
        ({"area": "32.79.02.1001"}, "area"),
        ({"title": "   "}, "title"),
        ({"date": date(1999, 12, 31)}, "date"),
    ],
)
def test_a_meeting_level_must_fit_its_area_and_texts_must_be_given(
    change: dict[str, Any], field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        run_meeting(plan(**change))
    assert refused.value.field == field


def test_holding_in_the_future_cancelling_a_held_meeting_and_holding_twice_are_refused() -> None:
    with pytest.raises(DomainError, match="day that has come"):
        run_meeting(plan(), c.HoldMeeting(at=AT, held_on=date(2025, 7, 21), minutes="x"))
    with pytest.raises(StateConflict):
        run_meeting(plan(), c.HoldMeeting(at=AT, minutes="x"), c.CancelMeeting(at=AT, reason="r"))
    with pytest.raises(StateConflict):
        run_meeting(plan(), c.HoldMeeting(at=AT, minutes="x"), c.HoldMeeting(at=AT, minutes="y"))
    with pytest.raises(NotFound):
        run_meeting(c.HoldMeeting(at=AT, minutes="x"))


def test_reports_need_a_held_meeting_and_an_area_inside_it_and_replace_each_other() -> None:
    report = c.ReportArea(
        at=AT,
        area="32.79.02.1001",
        office="Kelurahan Hegarsari",
        obstacles=(e.Kendala(code=e.Obstacle.KADER, text="kurang  kader"),),
    )
    with pytest.raises(StateConflict):
        run_meeting(plan(), report)
    with pytest.raises(DomainError) as outside:
        run_meeting(
            plan(),
            c.HoldMeeting(at=AT, minutes="x"),
            report.model_copy(update={"area": "32.79.01.1001"}),
        )
    assert outside.value.field == "area"

    state = run_meeting(
        plan(),
        c.HoldMeeting(at=AT, minutes="x"),
        report,
        report.model_copy(update={"activities": ("Posyandu",)}),
    )

    assert len(state.reports) == 1
    assert (state.reports[0].revision, state.reports[0].activities) == (2, ("Posyandu",))
    assert state.reports[0].obstacles[0].text == "kurang kader"


def test_the_same_document_twice_is_kept_once() -> None:
    document = e.Document(sha256="ab" * 32, size=1200, kind=e.DocumentKind.PHOTO)
    state = run_meeting(
        plan(),
        c.AttachDocument(at=AT, document=document),
        c.AttachDocument(at=AT, document=document),
    )
    assert state.documents == (document,)


def test_a_resolution_needs_a_held_meeting_a_due_date_after_it_and_areas_inside_it() -> None:
    with pytest.raises(StateConflict):
        run_resolution(adopt(run_meeting(plan())))
    meeting = held()
    with pytest.raises(DomainError) as early:
        run_resolution(adopt(meeting, due=date(2025, 7, 14)))
    assert early.value.field == "due"
    with pytest.raises(DomainError) as outside:
        run_resolution(adopt(meeting, areas=("32.79.01",)))
    assert outside.value.field == "areas"
    with pytest.raises(DomainError):
        run_resolution(adopt(meeting, areas=()))


@pytest.mark.parametrize(
    ("indicator", "value"),
    [("coverage", 90.0), ("stunted", 2.5), ("stunted", -1.0), ("happiness", 1.0)],
)
def test_targets_name_a_known_indicator_with_a_value_it_can_take(
    indicator: str, value: float
) -> None:
    with pytest.raises(DomainError) as refused:
        run_resolution(adopt(held(), target=e.Target(indicator=indicator, value=value)))
    assert refused.value.field is not None
    assert refused.value.field.startswith("target.")


def test_progress_closing_reopening_and_due_changes_follow_the_status() -> None:
    meeting = held()
    state = run_resolution(
        adopt(meeting, areas=("32.79.02.1002", "32.79.02.1001", "32.79.02.1001")),
        c.ReportProgress(at=AT, text="Separuh posyandu", percent=50),
        c.ChangeDue(at=AT, due=date(2025, 10, 31), reason="Anggaran baru cair"),
        c.CloseResolution(at=AT, outcome=e.Outcome.DONE, reason="Selesai"),
    )
    assert state.areas == ("32.79.02.1001", "32.79.02.1002")
    assert (state.status, state.percent, state.due, state.original_due) == (
        ResolutionStatus.DONE,
        50,
        date(2025, 10, 31),
        date(2025, 9, 30),
    )
    assert state.closed_on == date(2025, 7, 20)
    for late in (
        c.ReportProgress(at=AT, text="x", percent=60),
        c.CloseResolution(at=AT, outcome=e.Outcome.DROPPED, reason="x"),
        c.ChangeDue(at=AT, due=date(2025, 12, 1), reason="x"),
    ):
        with pytest.raises(StateConflict):
            resolutions.decide(late, state)
    reopened = run_resolution(
        adopt(meeting),
        c.CloseResolution(at=AT, outcome=e.Outcome.DROPPED, reason="x"),
        c.ReopenResolution(at=AT, reason="Diminta camat"),
    )
    assert (reopened.status, reopened.closed_on) == (ResolutionStatus.OPEN, None)
    with pytest.raises(StateConflict):
        resolutions.decide(c.ReopenResolution(at=AT, reason="x"), reopened)


def test_closing_in_the_future_or_before_the_meeting_and_an_unchanged_due_are_refused() -> None:
    state = run_resolution(adopt(held()))
    for command, field in (
        (
            c.CloseResolution(
                at=AT, outcome=e.Outcome.DONE, reason="x", closed_on=date(2025, 7, 21)
            ),
            "closed_on",
        ),
        (
            c.CloseResolution(
                at=AT, outcome=e.Outcome.DONE, reason="x", closed_on=date(2025, 7, 1)
            ),
            "closed_on",
        ),
        (c.ChangeDue(at=AT, due=date(2025, 9, 30), reason="x"), "due"),
        (c.ReportProgress(at=AT, text="x", percent=101), "percent"),
    ):
        with pytest.raises(DomainError) as refused:
            resolutions.decide(command, state)
        assert refused.value.field == field


def test_overdue_means_open_after_the_due_date() -> None:
    state = run_resolution(adopt(held()))
    assert not state.overdue(date(2025, 9, 30))
    assert state.overdue(date(2025, 10, 1))
    done = run_resolution(
        adopt(held()), c.CloseResolution(at=AT, outcome=e.Outcome.DONE, reason="x")
    )
    assert not done.overdue(date(2025, 10, 1))
