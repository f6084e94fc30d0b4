"""Where the store is: the setting that the migrations, the store and the service share.

Read from the environment (``TUMBUH_DATABASE_URL``). The service's own settings
(``api.settings.Settings``) extend these, so that Alembic, run on its own, finds the same
database as the service without reading the HTTP adapter's configuration.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

DEFAULT_DATABASE_URL = "sqlite:///tumbuh.db"


class StoreSettings(BaseSettings):
    """The store's location; the default runs with no configuration."""

    model_config = SettingsConfigDict(env_prefix="TUMBUH_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL

    @property
    def is_sqlite(self) -> bool:
        """Whether the store is the embedded SQLite file."""
        return make_url(self.database_url).get_backend_name() == "sqlite"
