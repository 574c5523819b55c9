"""Prometheus metrics served at ``GET /metrics``.

Counters and histograms are kept by the process that served or delivered (each replica has
its own; Prometheus sums them). The backlog gauges (outbox depth, open requests, SLA
breaches) describe the shared database, so every replica reports the same figures: they are
read from it at each scrape (``chatbot.backlog``); aggregate them with ``max``, not ``sum``."""

from prometheus_client import REGISTRY, Counter, Histogram

from chatbot.backlog import BacklogCollector

HTTP_REQUESTS = Counter(
    "hmis_bot_http_requests_total",
    "Inbound HTTP requests by route, method and response status",
    ["route", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "hmis_bot_http_request_seconds",
    "Time to answer an inbound HTTP request (the ack, for Slack), by route "
    "(slack_socket_mode: a Socket Mode envelope)",
    ["route"],
)
OUTBOX_DELIVERIES = Counter(
    "hmis_bot_outbox_deliveries_total",
    "Outbox deliveries by platform and result (sent, retry, failed)",
    ["platform", "result"],
)
RATE_LIMITED = Counter(
    "hmis_bot_rate_limited_total",
    "HTTP 429 answers from a chat platform's API, by platform (each waited out, then retried)",
    ["platform"],
)
LOOP_FAILURES = Counter(
    "hmis_bot_loop_failures_total",
    "Failed iterations of a background loop (outbox delivery, nudge sweep ticks); it goes on",
    ["loop"],
)
SWEEP_SECONDS = Histogram(
    "hmis_bot_sweep_seconds",
    "Duration of a nudge sweep, every rule, on the replica holding the sweep lease",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
SWEEP_RULE_FAILURES = Counter(
    "hmis_bot_sweep_rule_failures_total",
    "Sweep rules that failed (the sweep went on with the next rule), by nudge kind",
    ["kind"],
)
BACKLOG = BacklogCollector()
"""The outbox and request backlog gauges, set from the database at each scrape."""
REGISTRY.register(BACKLOG)
