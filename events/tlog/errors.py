"""Typed refusals of the verifiable log's pure code (every one is a ``ValueError``)."""

from __future__ import annotations


class TlogError(ValueError):
    """Base of every refusal in ``events.tlog``."""


class OutOfRange(TlogError):
    """A leaf index or a tree size that the asked-for tree does not have."""


class MissingNode(TlogError):
    """A node the tree of that size must have is not stored: the projection is incomplete."""


class ProofError(TlogError):
    """A proof that does not prove what it claims (wrong length, wrong hashes, wrong root)."""


class TileError(TlogError):
    """A tile or entry-bundle path, or tile contents, that C2SP tlog-tiles does not allow."""


class NoteError(TlogError):
    """A signed note, key string or signature line that C2SP signed-note does not allow."""


class UnverifiedNote(NoteError):
    """A well-formed note that no known key has signed."""


class InvalidSignature(NoteError):
    """A signature by a known key (name and key id match) that does not verify."""


class CheckpointError(NoteError):
    """A note whose text is not a C2SP tlog-checkpoint, or that its log did not sign."""
