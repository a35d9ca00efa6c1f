"""The one settings object of the web app, read once from ``PAYJOURNAL_*`` variables and ``.env``.

Django's settings module (:mod:`payjournal.site.settings`) is a projection of :class:`Settings`.
The Visma endpoints default to production; the demo points them at the local emulator.
Secrets (Django's secret key, the token-encryption keys) are never stored in the database: given
through the environment, or — for the embedded mode — generated once into
``<data_dir>/secrets.env`` (mode 0600).
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from payjournal.private_files import private_dir, private_file

__all__ = ["Settings", "default_data_dir", "ensure_secrets", "get_settings", "use_settings"]

SECRETS_FILE = "secrets.env"


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/payjournal`` (``~/.local/share/payjournal``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "payjournal"


class Settings(BaseSettings):
    """Everything the web app reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix="PAYJOURNAL_", env_file=".env", extra="ignore", env_nested_delimiter="__"
    )

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None  # default: sqlite:///<data_dir>/app.sqlite
    secret_key: SecretStr | None = None
    token_keys: list[SecretStr] = Field(default_factory=list)  # first encrypts, all decrypt
    debug: bool = False
    allowed_hosts: list[str] = Field(default_factory=lambda: ["127.0.0.1", "localhost"])
    secure_cookies: bool = True
    public_url: str | None = None  # e.g. https://payjournal.example.com (for the OAuth callback)
    visma_identity_url: str = "https://identity.vismaonline.com"
    visma_api_url: str = "https://eaccountingapi.vismaonline.com/v2/"
    visma_client_id: str = ""
    visma_client_secret: SecretStr = SecretStr("")
    visma_force_select_company: bool = False  # prompt=login + forceselectcompany (sandbox)
    visma_per_minute: int = 540  # our ceiling per endpoint, under Visma's 600 requests/min
    worker_concurrency: int = 8  # send workflows in flight per executor process
    # Where an executing process (serve, demo, worker) runs its threads: `auto`, one core at
    # a time, moved when another program crowds it (a worker: as `all`); `all`, wherever the
    # OS runs them; or the cores, `1`, `0,2-3` (payjournal/site/affinity.py, docs/deploy.md).
    cpu_affinity: Annotated[frozenset[int] | Literal["auto", "all"], NoDecode] = "auto"
    db_conn_max_age: int = 60  # SQLite: seconds a thread keeps its connection (0: per request)
    db_pool_size: int = 16  # PostgreSQL: connections each process keeps at most (a pool)
    # Mail (password reset). No SMTP host and no mail directory: password reset by e-mail is
    # off, and the reset page says whom to ask. Mail never goes to the log (no console backend).
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_timeout_s: int = 20
    mail_dir: Path | None = None  # the demo: each mail a file here (inside the data dir)
    default_from_email: str = "payjournal@localhost"
    support_contact: str = ""  # whom users ask when reset by e-mail is off, e.g. an address
    # The demo: a local SMTP catcher on loopback keeps each mail as a file here, and the page
    # /notifications/demo-mail/ lists them (payjournal/notifications/mailbox.py).
    demo_mailbox: Path | None = None
    # Webhooks (docs/notifications.md): the first retry after this many seconds, doubled each
    # time up to the max; a delivery gives up after `attempts`; an endpoint is disabled after
    # `disable_after` failed attempts in a row.
    webhook_backoff_s: float = Field(default=30.0, gt=0)
    webhook_backoff_max_s: float = Field(default=3600.0, gt=0)
    webhook_attempts: int = Field(default=8, gt=0)
    webhook_disable_after: int = Field(default=10, gt=0)
    # Networks webhooks may reach beyond public addresses, over http too (SSRF guard,
    # notifications/destinations.py): `127.0.0.1/32,10.0.0.0/8` (commas, or a JSON list).
    webhook_allowed_networks: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Notices sent and webhook deliveries settled are deleted after this many days (daily).
    notifications_keep_days: int = Field(default=90, gt=0)
    login_attempts: int = 5  # failed logins per user and address within the window
    login_window_s: int = 900
    reset_requests_per_account: int = 3  # password-reset mails per address/account per window
    reset_requests_per_address: int = 15  # reset requests from one client address per window
    reset_window_s: int = 3600
    hsts_seconds: int = 31_536_000  # Strict-Transport-Security max-age with secure_cookies
    # The largest run or scheme file imported — an upload, an API body, `runs import` — in
    # bytes; larger ones are refused unread ("file too large"). 64 MiB holds a run of 10,000
    # employees × 40 components (51 MiB as JSON, 42 MiB as CSV: docs/deploy.md, "The largest
    # run the API takes").
    max_upload_bytes: int = Field(default=64 * 1024 * 1024, gt=0)

    @field_validator("cpu_affinity", mode="before")
    @classmethod
    def _cores(cls, value: Any) -> frozenset[int] | str:
        """``auto`` (or nothing) and ``all`` stay words; ``1`` or ``0,2-3`` → the cores;
        anything else is refused with the part that is not a core or a range of cores."""
        if not isinstance(value, str):
            return frozenset(value)
        if value.strip().lower() in ("", "auto", "all"):
            return value.strip().lower() or "auto"
        cores: set[int] = set()
        for part in (piece.strip() for piece in value.split(",")):
            if not part:
                continue
            first, dash, last = part.partition("-")
            last = last if dash else first
            if not (first.isdigit() and last.isdigit()) or int(last) < int(first):
                raise ValueError(
                    f"{part!r} is not a core number or a range of cores (0-3); or say auto or all"
                )
            cores.update(range(int(first), int(last) + 1))
        return frozenset(cores)

    @field_validator("webhook_allowed_networks", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> list[str]:
        """Each network written out (``10.0.0.0/8``); one that is not a network is refused
        with its text."""
        if isinstance(value, str):
            text = value.strip()
            value = json.loads(text) if text.startswith("[") else text.split(",")
        names = [str(name).strip() for name in value if str(name).strip()]
        try:
            return [ipaddress.ip_network(name, strict=False).with_prefixlen for name in names]
        except ValueError as exc:
            raise ValueError(f"not a network (e.g. 10.0.0.0/8): {exc}") from None

    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'app.sqlite'}"


def ensure_secrets(settings: Settings) -> Settings:
    """Fill in missing secrets from ``<data_dir>/secrets.env``, generating that file once."""
    if settings.secret_key is not None and settings.token_keys:
        return settings
    path = settings.data_dir / SECRETS_FILE
    values = _read_env_file(path)
    if "SECRET_KEY" not in values or "TOKEN_KEY" not in values:
        values.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
        values.setdefault("TOKEN_KEY", Fernet.generate_key().decode())
        private_dir(settings.data_dir)
        fd = os.open(private_file(path), os.O_WRONLY | os.O_TRUNC)
        with os.fdopen(fd, "w") as out:
            out.write("".join(f"{k}={v}\n" for k, v in sorted(values.items())))
    return settings.model_copy(
        update={
            "secret_key": settings.secret_key or SecretStr(values["SECRET_KEY"]),
            "token_keys": settings.token_keys or [SecretStr(values["TOKEN_KEY"])],
        }
    )


def _read_env_file(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


_installed: Settings | None = None


def use_settings(settings: Settings) -> None:
    """Install explicit settings (the CLI does, before Django starts)."""
    global _installed
    _installed = settings
    get_settings.cache_clear()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The installed settings, else those of the environment; secrets filled in."""
    return ensure_secrets(_installed if _installed is not None else Settings())
