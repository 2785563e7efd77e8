"""Settings, read from ``STUKJE_*`` environment variables (and CLI flags that override them).

Nothing is read at import time: build a :class:`Settings` where the program starts (the CLI, the
API's ``create_app``) and pass it down. Every field can be set as ``STUKJE_<FIELD NAME>``, e.g.
``STUKJE_DATABASE_URL=postgresql+psycopg://127.0.0.1/stukje``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from stukje.errors import ConfigError

__all__ = ["Settings", "load_settings"]


class Settings(BaseSettings):
    """All of stukje's settings, with their defaults."""

    model_config = SettingsConfigDict(env_prefix="STUKJE_", frozen=True, extra="forbid")

    data_dir: Path = Field(Path(".stukje"), description="Where the embedded SQLite store lives.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: SQLite in data_dir/stukje.db."
    )
    max_image_bytes: int = Field(50_000_000, gt=0, description="Largest accepted upload, bytes.")
    max_image_pixels: int = Field(
        100_000_000, gt=0, description="Largest accepted picture, pixels (decompression bombs)."
    )
    match_threshold: int = Field(31, ge=0, le=256, description="PDQ match distance, bits.")
    max_batch: int = Field(10_000, gt=0, description="Most hashes in one match request.")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    workers: int = Field(1, ge=1)
    log_level: str = "info"
    policy_file: Path | None = Field(None, description="Guard policy TOML; default: built in.")
    case_creates_per_hour: int = Field(
        20, ge=0, description="Cases one client address may open per hour (0: no limit)."
    )
    case_pin_tries_per_hour: int = Field(
        60, ge=0, description="Requests with a case PIN per client address per hour (0: no limit)."
    )
    partner_hashes_per_minute: int = Field(
        1_000_000, ge=0, description="Hashes one partner may check per minute (0: no limit)."
    )

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.lower()
        if level not in {"critical", "error", "warning", "info", "debug"}:
            raise ValueError("log_level is one of critical, error, warning, info, debug")
        return level

    @property
    def resolved_database_url(self) -> str:
        """The database URL in use: the configured one, or SQLite inside data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'stukje.db'}"


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (e.g. CLI flags) on top.

    Overrides whose value is None are ignored, so CLI options can be passed through as they are.
    Raises :class:`ConfigError` with every problem listed.
    """
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**given)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from exc
