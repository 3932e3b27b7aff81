"""Settings read from the environment and `.env` (prefix ``LINDUNGI_``).

Every setting has an embedded default so that ``lindungi serve`` runs on a bare machine.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

import programs as _programs_pkg
from storage.infra.files import private_dir, write_private

DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org"
DEFAULT_PROGRAMS_DIR = Path(_programs_pkg.__file__).resolve().parent
# What Telegram accepts as a webhook's `secret_token` (setWebhook): 1-256 of these characters.
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Settings(BaseSettings):
    """Lindungi's settings; see README's configuration table."""

    model_config = SettingsConfigDict(
        env_prefix="LINDUNGI_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: SecretStr | None = None
    telegram_api_url: str = DEFAULT_TELEGRAM_API_URL
    webhook_secret: SecretStr | None = None
    public_url: str | None = None
    database_url: str | None = None
    redis_url: str | None = None
    # Key prefix in Redis, so that several deployments (or test runs) can share one server.
    redis_prefix: str = "lindungi:"
    # With several server processes, an update waits at most this long (seconds) until every
    # lower update id has reached some process (an earlier update of its chat may be on its
    # way to another one), so that a chat's updates are handled in Telegram's order.
    # 0: in the order they arrive (one process needs no more).
    chat_order_window: float = Field(default=0.0, ge=0, le=1)
    data_dir: Path = Path("data")
    programs: Path = DEFAULT_PROGRAMS_DIR
    # A flow pack (YAML): one more flow with its own texts; `start: true` in it makes /start
    # enter that flow instead of the menu (see conversations/packs.py).
    flow: Path | None = None
    # 32 random bytes, base64: encrypts NIKs and conversation state at rest. Generated
    # once into the data folder when unset; set it explicitly when several hosts share data.
    encryption_key: SecretStr | None = None
    # Keys being rotated out, comma-separated: read, never written (`lindungi keys rotate`).
    previous_encryption_keys: SecretStr | None = None
    log_level: str = "INFO"
    log_json: bool = False
    # Apply database migrations when the server starts (one command for newcomers).
    auto_migrate: bool = True
    default_language: str = Field(default="id", pattern="^(id|en)$")
    # The bot's one send rate (every process together): at most `send_rate` messages in any
    # second (plus `send_margin`), counted from Telegram's answers. Broadcasts send a chat one
    # message every `send_chat_interval` seconds after a burst of `send_chat_burst`, replies
    # included (0: no per-chat limit); replies follow the worker's pace and are not held.
    send_rate: int = Field(default=30, ge=1)
    send_margin: float = Field(default=0.002, ge=0)
    send_chat_interval: float = Field(default=1.0, gt=0)
    send_chat_burst: int = Field(default=3, ge=0)
    # Broadcast delivery: concurrent sends per delivering process, and how long a crashed
    # process's recipients stay claimed before another process takes them over.
    broadcast_senders: int = Field(default=8, ge=1)
    broadcast_lease: float = Field(default=15.0, gt=1)
    # The API's documentation (`/docs`, `/redoc`, `/openapi.json`), open to anyone who can
    # reach the server. Unset: off in production (a public URL with https), on otherwise.
    api_docs: bool | None = None

    @property
    def production(self) -> bool:
        """Served to the public over HTTPS (`LINDUNGI_PUBLIC_URL` starts with https://)."""
        return (self.public_url or "").startswith("https:")

    @property
    def api_docs_served(self) -> bool:
        """`LINDUNGI_API_DOCS` when set; else on except in production."""
        return self.api_docs if self.api_docs is not None else not self.production

    @property
    def telegram_enabled(self) -> bool:
        return self.bot_token is not None and bool(self.bot_token.get_secret_value())

    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL, with the async driver each dialect needs."""
        url = self.database_url or f"sqlite:///{(self.data_dir / 'lindungi.sqlite3').resolve()}"
        for plain, driver in (
            ("sqlite://", "sqlite+aiosqlite://"),
            ("postgresql://", "postgresql+psycopg://"),
            ("postgres://", "postgresql+psycopg://"),
        ):
            if url.startswith(plain):
                return driver + url[len(plain) :]
        return url

    def state_path(self) -> Path:
        return self.data_dir / "state.sqlite3"

    def ensure_data_dir(self) -> None:
        """The data folder, readable by the server's account only (it holds personal data)."""
        private_dir(self.data_dir)

    def resolved_webhook_secret(self) -> str:
        """The configured secret, or one generated once and kept in the data folder.

        A set but empty (or malformed) secret is refused: it would switch the check off.
        """
        if self.webhook_secret is not None:
            secret = self.webhook_secret.get_secret_value()
            if not WEBHOOK_SECRET.fullmatch(secret):
                raise ValueError(
                    "LINDUNGI_WEBHOOK_SECRET must be 1 to 256 letters, digits, '_' or '-' "
                    "(it is empty or has other characters); unset it to have one generated"
                )
            return secret
        return _read_or_create(self.data_dir / "webhook_secret", lambda: secrets.token_urlsafe(32))

    def cipher_keys(self) -> tuple[str, list[str]]:
        """The current key and the previous ones still accepted for reading."""
        previous = self.previous_encryption_keys
        old = [k.strip() for k in previous.get_secret_value().split(",")] if previous else []
        return self.resolved_encryption_key(), [k for k in old if k]

    def resolved_encryption_key(self) -> str:
        if self.encryption_key is not None:
            return self.encryption_key.get_secret_value()
        return _read_or_create(self.data_dir / "encryption_key", _new_key)


def _new_key() -> str:
    import base64

    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _read_or_create(path: Path, make: object) -> str:
    private_dir(path.parent)
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        value = str(make())  # type: ignore[operator]
        write_private(path, value)
        return value
