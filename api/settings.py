"""Settings from the environment (``TUMBUH_…``); the defaults run with no configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from sqlalchemy.engine import make_url

from domain.webhook import targets
from events.config import StoreSettings


class Settings(StoreSettings):
    """Everything the service can be told; read once, in the composition root."""

    # Base64 of 32 bytes. Unset: generated on first start into a file beside the database
    # (SQLite) — a PostgreSQL deployment must set it (or TUMBUH_KEY_DIR) explicitly.
    master_key: str | None = Field(default=None, repr=False)
    key_dir: Path | None = None
    migrate_on_start: bool | None = None  # default: yes for SQLite, no for PostgreSQL
    log_level: str = "INFO"
    # The longest request body taken, in bytes (the KRS import takes its own 16 MiB).
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    db_pool_size: int = 10
    # Identity and access (docs/identity.md).
    access_token_ttl: int = Field(default=900, gt=0)  # seconds
    refresh_token_ttl: int = Field(default=14 * 24 * 3600, gt=0)  # sliding: each use renews
    # The absolute end of a login's refresh tokens, however often they are used (seconds).
    refresh_token_absolute_ttl: int = Field(default=30 * 24 * 3600, gt=0)
    # Public clients (RFC 6749 §2.1: apps that keep no secret) that may name themselves in a
    # password grant's client_id; comma-separated. Any other non-empty client_id: invalid_client.
    public_clients: str = ""
    # Failed logins one client address may make within the window before 429 (any usernames).
    login_failures_per_address: int = Field(default=20, ge=1)
    login_failure_window: int = Field(default=600, gt=0)  # seconds
    # Password checks (Argon2, 24 MiB each) running at once in one process; beyond, 503.
    password_checks: int = Field(default=4, ge=1)
    issuer: str = "tumbuh"  # the iss of the tokens this installation signs
    audience: str = "tumbuh-api"  # the aud its tokens carry and it accepts
    signing_algorithm: Literal["ES256", "RS256"] = "ES256"  # for keys generated from now on
    # A PEM private key to sign with; unset: keys are generated into the key folder.
    signing_key_file: Path | None = None
    # PEM keys (public or private) still accepted for verification, e.g. the previous key.
    verify_key_files: list[Path] = Field(default_factory=list)
    # An external identity provider whose tokens are accepted under the same claim rules.
    trusted_issuer: str | None = None
    trusted_audience: str | None = None
    trusted_jwks_file: Path | None = None
    demo: bool = False  # create the documented demo users at start
    webhook_worker: bool = True  # deliver webhooks inside `tumbuh serve` (or run `tumbuh worker`)
    # CIDRs (comma-separated) webhooks may be sent to besides public addresses (docs/exchange.md).
    webhook_allowed_networks: str = ""
    # Processes that compute a rebuild's rows (docs/figures.md); 0: one per CPU core, at most 8.
    replay_workers: int = Field(default=0, ge=0)
    demo_password: str = Field(default="tumbuh-demo-2025", repr=False)

    @field_validator("webhook_allowed_networks")
    @classmethod
    def _cidrs(cls, text: str) -> str:
        targets.networks(text)  # refuses a value that is not CIDRs, at start
        return text

    def webhook_networks(self) -> tuple[targets.Network, ...]:
        """The networks webhooks may be sent to besides public addresses."""
        return targets.networks(self.webhook_allowed_networks)

    @property
    def public_client_ids(self) -> frozenset[str]:
        """The public clients a password grant may name."""
        return frozenset(c.strip() for c in self.public_clients.split(",") if c.strip())

    @property
    def migrate_at_start(self) -> bool:
        """Whether the service runs migrations itself when it starts."""
        return self.is_sqlite if self.migrate_on_start is None else self.migrate_on_start

    def key_directory(self) -> Path:
        """Where generated keys live: beside the SQLite file, or the configured folder."""
        if self.key_dir is not None:
            return self.key_dir
        database = make_url(self.database_url).database
        if self.is_sqlite and database and database != ":memory:":
            return Path(database).resolve().parent / "tumbuh-keys"
        return Path.cwd() / "tumbuh-keys"
