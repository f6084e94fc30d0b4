"""The family, sponsor and commitment aggregates: ``family-``, ``sponsor-`` and
``commitment-<uuid>`` streams, one module each. Their states are plain models the read
models keep as they are."""

from domain.sponsor.decider.commitment import (
    COMMITMENT_PREFIX,
    CommitmentDecider,
    CommitmentState,
    Delivery,
    Pause,
)
from domain.sponsor.decider.family import FAMILY_PREFIX, FamilyDecider, FamilyState, Mother
from domain.sponsor.decider.sponsor import SPONSOR_PREFIX, SponsorDecider, SponsorState

__all__ = [
    "COMMITMENT_PREFIX",
    "FAMILY_PREFIX",
    "SPONSOR_PREFIX",
    "CommitmentDecider",
    "CommitmentState",
    "Delivery",
    "FamilyDecider",
    "FamilyState",
    "Mother",
    "Pause",
    "SponsorDecider",
    "SponsorState",
]
