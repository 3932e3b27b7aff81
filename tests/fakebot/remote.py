"""Steer a fake Bot API running in another process (``python -m tests.fakebot``) over HTTP.

Mirrors the in-process helpers through the ``/_...`` control endpoints.
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["RemoteFakeTelegram"]


class RemoteFakeTelegram:
    """A small synchronous client for the control endpoints of a running fake."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self._client = httpx.Client(base_url=self.url, timeout=timeout, trust_env=False)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def __enter__(self) -> RemoteFakeTelegram:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _post(self, path: str, body: Any = None) -> Any:
        response = self._client.post(path, json=body)
        response.raise_for_status()
        return response.json()

    def stats(self) -> dict[str, Any]:
        """``GET /_stats``."""
        response = self._client.get("/_stats")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def messages(self, chat_id: int | str) -> list[str]:
        """Texts sent to a chat."""
        response = self._client.get(f"/_chat/{chat_id}")
        response.raise_for_status()
        texts: list[str] = response.json()["texts"]
        return texts

    def reset(self) -> None:
        """Forget everything."""
        self._post("/_reset")

    def block(self, chat_id: int | str) -> None:
        """Answer 403 to sends to ``chat_id``."""
        self._post(f"/_block/{chat_id}")

    def unblock(self, chat_id: int | str) -> None:
        """Undo :meth:`block`."""
        self._post(f"/_unblock/{chat_id}")

    def fail_next(self, n: int = 1, code: int = 429, retry_after: int = 1) -> None:
        """Fail the next ``n`` sending calls."""
        self._post("/_fail", {"n": n, "code": code, "retry_after": retry_after})

    def set_rate_limit(
        self, per_second: float | None = 30, per_chat_per_second: float | None = None
    ) -> None:
        """Enforce Telegram-like rate limits."""
        self._post("/_rate", {"per_second": per_second, "per_chat_per_second": per_chat_per_second})

    def delay(self, seconds: float) -> None:
        """Add latency to every answer."""
        self._post("/_delay", {"seconds": seconds})

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates / the webhook."""
        update_id: int = self._post("/_update", update)["update_ids"][0]
        return update_id
