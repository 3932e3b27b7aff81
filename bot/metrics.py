"""Prometheus metrics of one server process (its own registry, so apps in tests do not clash)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from storage.repos import volume_alerts
from storage.repos.gauges import Gauges


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

        self.registrations = Gauge(
            "lindungi_registrations",
            "Registrations by status",
            ["status"],
            registry=self.registry,
        )
        self.queued = Gauge(
            "lindungi_queued_messages",
            "Messages waiting to be sent, by queue",
            ["queue"],
            registry=self.registry,
        )
        self.broadcast = Gauge(
            "lindungi_broadcast_recipients",
            "Recipients of running broadcasts, by delivery status",
            ["status"],
            registry=self.registry,
        )

    def set_gauges(self, gauges: Gauges, outboxes: int) -> None:
        """Current counts, read at scrape time."""
        for status in ("pending", "approved", "rejected", "active"):
            self.registrations.labels(status).set(gauges.registrations.get(status, 0))
        self.queued.labels("chat_outboxes").set(outboxes)
        self.queued.labels("notifications").set(gauges.notifications_pending)
        self.queued.labels("question_replies").set(gauges.replies_pending)
        for status in ("pending", "sending", "sent", "failed", "blocked"):
            self.broadcast.labels(status).set(gauges.broadcast_recipients.get(status, 0))

    def api_call(self, method: str, result: str) -> None:
        self.api_calls.labels(method, result).inc()

    def render(self) -> bytes:
        # The alerts on sensitive volumes are counted where they happen (storage).
        return generate_latest(self.registry) + generate_latest(volume_alerts.REGISTRY)
