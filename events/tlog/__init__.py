"""A verifiable log over the event log: Merkle tree, proofs, tiles, checkpoints, notes.

Pure code, no database and no HTTP; the store and the API wire it in.

- ``merkle``: RFC 9162 §2.1 hashing, node addressing, the tree head, incremental append.
- ``proofs``: inclusion and consistency proofs (RFC 9162 §2.1.3.1, §2.1.4.1) from stored nodes.
- ``verify``: checking those proofs (RFC 9162 §2.1.3.2, §2.1.4.2).
- ``tiles``: the tree as C2SP tlog-tiles.
- ``notes``: C2SP signed-note, ``keys``: its Ed25519 and cosignature/v1 keys,
  ``checkpoint``: C2SP tlog-checkpoint and tlog-cosignature.
"""
