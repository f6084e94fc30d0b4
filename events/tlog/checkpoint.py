"""C2SP tlog-checkpoint v1.0.0, signed by the log and cosigned by witnesses.

A checkpoint is a signed note (``events.tlog.notes``) whose text is, line by line: the
*origin* (the log's identity, non-empty), the *tree size* (decimal, no leading zeros), the
*root hash* (standard base64 of the 32-byte RFC 9162 tree head), then optional non-empty
*extension lines*; every line ends with a newline. The log signs it with its own Ed25519
key (type 0x01) whose name should be the origin.

Witnesses add C2SP tlog-cosignature v1 signature lines (type 0x04, ``events.tlog.keys``):
each states a time and signs ``"cosignature/v1\\ntime <t>\\n"`` followed by the checkpoint
text, meaning: as of that time, this is the largest tree of this origin the witness has
seen, and it checked it consistent with the ones before. A checkpoint with its witnesses'
cosignatures is what an auditor pins (``open_checkpoint`` checks both kinds).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from events.tlog.errors import CheckpointError
from events.tlog.keys import CosignatureVerifier, Cosigner
from events.tlog.merkle import HASH_SIZE, MAX_SIZE
from events.tlog.notes import (
    MAX_SIGNATURES,
    Note,
    OpenedNote,
    Signature,
    Signer,
    Verifier,
    b64decode,
    b64encode,
    check_text,
    open_note,
    parse_note,
    sign_note,
)

_SIZE: Final = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A log's tree head: its origin, tree size and root hash, and any extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for line in (self.origin, *self.extensions):
            if not line or "\n" in line:
                raise CheckpointError(f"a checkpoint line is non-empty, on one line: {line!r}")
        if not 0 <= self.size <= MAX_SIZE:
            raise CheckpointError(f"a tree size is 0 to 2^63-1, not {self.size}")
        if len(self.root_hash) != HASH_SIZE:
            raise CheckpointError(f"a root hash is {HASH_SIZE} bytes, not {len(self.root_hash)}")
        check_text(self.body())

    def body(self) -> str:
        """The note text: origin, size, base64 root hash, extension lines, each with a newline."""
        lines = (self.origin, str(self.size), b64encode(self.root_hash), *self.extensions)
        return "".join(line + "\n" for line in lines)


def parse_checkpoint(text: str) -> Checkpoint:
    """The checkpoint a note text states, refusing a text that is not exactly one."""
    if not text.endswith("\n"):
        raise CheckpointError("a checkpoint's text ends with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError("a checkpoint has an origin, a tree size and a root hash line")
    origin, size, root, *extensions = lines
    if not _SIZE.fullmatch(size):
        raise CheckpointError(f"a tree size is a decimal without leading zeros: {size!r}")
    try:
        root_hash = b64decode(root, "the root hash")
    except ValueError as error:
        raise CheckpointError(str(error)) from None
    return Checkpoint(origin, int(size), root_hash, tuple(extensions))


@dataclass(frozen=True, slots=True)
class Cosignature:
    """A witness's verified cosignature: who, and the time it states."""

    name: str
    key_id: int
    timestamp: int


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A checkpoint whose log signature verified, with the cosignatures that verified."""

    checkpoint: Checkpoint
    note: OpenedNote
    cosignatures: tuple[Cosignature, ...]


def sign_checkpoint(checkpoint: Checkpoint, log: Signer) -> str:
    """The checkpoint as a note signed by the log's key."""
    return sign_note(checkpoint.body(), [log])


def open_checkpoint(
    message: str | bytes,
    origin: str,
    log: Verifier,
    witnesses: Sequence[CosignatureVerifier] = (),
) -> SignedCheckpoint:
    """Verify a checkpoint of ``origin`` signed by ``log``, and its known witnesses' cosignatures.

    Any signature by a known key that fails refuses the whole note; unknown keys are
    ignored, as C2SP signed-note requires.
    """
    opened = open_note(message, [log, *witnesses])
    if not opened.signed_by(log.name, log.key_id):
        raise CheckpointError(f"the log's key {log.name}+{log.key_id:08x} did not sign it")
    checkpoint = parse_checkpoint(opened.text)
    if checkpoint.origin != origin:
        raise CheckpointError(f"the checkpoint is of {checkpoint.origin!r}, not {origin!r}")
    known = {(w.name, w.key_id) for w in witnesses}
    cosignatures = tuple(
        Cosignature(s.name, s.key_id, CosignatureVerifier.timestamp(s.signature))
        for s in opened.verified
        if (s.name, s.key_id) in known
    )
    return SignedCheckpoint(checkpoint, opened, cosignatures)


def cosign(checkpoint: Checkpoint, cosigner: Cosigner, timestamp: int) -> Signature:
    """A witness's cosignature line of ``checkpoint`` at ``timestamp`` (POSIX seconds).

    Cosign only a checkpoint whose log signature verified and that is consistent with
    the last one this witness cosigned for the origin.
    """
    signature = cosigner.cosign(checkpoint.body().encode(), timestamp)
    return Signature(cosigner.name, cosigner.key_id, signature)


def add_signatures(message: str | bytes, signatures: Sequence[Signature]) -> str:
    """The note with ``signatures`` added; one by a key already there replaces its line."""
    note = parse_note(message)
    added = {(s.name, s.key_id) for s in signatures}
    kept = tuple(s for s in note.signatures if (s.name, s.key_id) not in added)
    if len(kept) + len(signatures) > MAX_SIGNATURES:
        raise CheckpointError(f"a note has at most {MAX_SIGNATURES} signatures")
    return Note(note.text, (*kept, *signatures)).format()
