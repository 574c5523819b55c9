"""Prometheus metrics served at ``GET /metrics``."""

from prometheus_client import Counter, Histogram

OUTBOX_DELIVERIES = Counter(
    "hmis_bot_outbox_deliveries_total",
    "Outbox deliveries by platform and result",
    ["platform", "result"],
)
REQUEST_SECONDS = Histogram(
    "hmis_bot_http_request_seconds", "Time to answer an inbound platform request", ["endpoint"]
)
