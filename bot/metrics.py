"""Prometheus metrics of one server process (its own registry, so apps in tests do not clash)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest


class Metrics:
    """Updates by outcome, handling latency, Bot API calls by method and result."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "lindungi_updates_total",
            "Telegram updates by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "lindungi_update_seconds",
            "Time to handle one webhook update",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.api_calls = Counter(
            "lindungi_bot_api_calls_total",
            "Bot API calls by method and result",
            ["method", "result"],
            registry=self.registry,
        )

    def api_call(self, method: str, result: str) -> None:
        self.api_calls.labels(method, result).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
