"""The log's one text form of instants: RFC 3339, four-digit years, read back exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from events import timefmt

_instants = st.datetimes(timezones=st.just(UTC))  # years 1 to 9999


def test_a_year_before_1000_is_written_with_four_digits() -> None:
    text = timefmt.to_text(datetime(26, 11, 5, tzinfo=UTC))

    assert text == "0026-11-05T00:00:00.000000Z"


def test_the_unpadded_year_earlier_versions_wrote_is_read_as_the_same_instant() -> None:
    old = timefmt.from_text("26-11-05T00:00:00.000000Z")

    assert old == datetime(26, 11, 5, tzinfo=UTC)
    assert timefmt.from_text("7-01-02T03:04:05.000006Z") == datetime(7, 1, 2, 3, 4, 5, 6, UTC)


def test_an_instant_in_another_zone_is_written_in_utc() -> None:
    wita = timezone(timedelta(hours=8))

    text = timefmt.to_text(datetime(2025, 5, 10, 8, 0, tzinfo=wita))

    assert text == "2025-05-10T00:00:00.000000Z"


@given(_instants, _instants)
def test_any_instant_reads_back_exactly_and_the_text_sorts_as_time_does(
    first: datetime, second: datetime
) -> None:
    texts = timefmt.to_text(first), timefmt.to_text(second)

    assert [timefmt.from_text(t) for t in texts] == [first, second]
    assert {len(t) for t in texts} == {27}
    assert (texts[0] < texts[1]) == (first < second)
