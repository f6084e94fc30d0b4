"""The meeting and resolution aggregates: ``meeting-<uuid>`` and ``resolution-<uuid>``
streams, one module each. Their states are plain models so the read models can keep them
as they are."""

from domain.checks import local_day
from domain.meeting.decider.meeting import (
    MEETING_PREFIX,
    MeetingDecider,
    MeetingState,
    MeetingStatus,
    Report,
    meeting_stream,
)
from domain.meeting.decider.resolution import (
    RESOLUTION_PREFIX,
    DueChange,
    Progress,
    ResolutionDecider,
    ResolutionState,
    ResolutionStatus,
    resolution_stream,
)

__all__ = [
    "MEETING_PREFIX",
    "RESOLUTION_PREFIX",
    "DueChange",
    "MeetingDecider",
    "MeetingState",
    "MeetingStatus",
    "Progress",
    "Report",
    "ResolutionDecider",
    "ResolutionState",
    "ResolutionStatus",
    "local_day",
    "meeting_stream",
    "resolution_stream",
]
