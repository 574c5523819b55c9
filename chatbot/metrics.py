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
LOOP_FAILURES = Counter(
    "hmis_bot_loop_failures_total",
    "Failed iterations of a background loop (outbox delivery, nudge sweep ticks); it goes on",
    ["loop"],
)
SWEEP_RULE_FAILURES = Counter(
    "hmis_bot_sweep_rule_failures_total",
    "Sweep rules that failed (the sweep went on with the next rule), by nudge kind",
    ["kind"],
)
