"""Prometheus metrics of a worker (``grunndata worker --metrics-port P``).

Counters are this worker's own (Prometheus sums them over workers); gauges read from the
database (budget used, lag, achieved interval, jobs) are the same on every worker, so take one
of them (``max``) rather than their sum. Subscription keys appear only as their hash label.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

REGISTRY = CollectorRegistry()

CYCLES = Counter("grunndata_cycles", "Cycles run, by kind and outcome", ["kind", "outcome"], registry=REGISTRY)
ACTIONS = Counter(
    "grunndata_actions", "Writes journaled, by operation and outcome", ["op", "outcome"], registry=REGISTRY
)
FAILURES = Counter("grunndata_cycle_failures", "Cycles that failed, by kind", ["kind"], registry=REGISTRY)
REQUESTS = Counter("grunndata_requests", "Requests sent, by system", ["system"], registry=REGISTRY)
THROTTLED = Counter("grunndata_requests_throttled", "Requests answered 429, by system", ["system"], registry=REGISTRY)
RATE_WAIT = Histogram(
    "grunndata_rate_limit_wait_seconds",
    "Time a PowerOffice request waited for a place in the shared budget",
    buckets=(0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
    registry=REGISTRY,
)
BUDGET_USED = Gauge(
    "grunndata_po_budget_used",
    "PowerOffice requests in flight or answered within the last second, per subscription key (hash)",
    ["key"],
    registry=REGISTRY,
)
LAG = Gauge(
    "grunndata_tenant_lag_seconds",
    "How far a tenant's cycle kind is behind its schedule",
    ["tenant", "kind"],
    registry=REGISTRY,
)
ACHIEVED = Gauge(
    "grunndata_tenant_achieved_interval_seconds",
    "Mean time between a tenant's recent sync cycles",
    ["tenant"],
    registry=REGISTRY,
)
JOBS = Gauge(
    "grunndata_jobs", "procrastinate jobs, by status (todo: queued, doing: running)", ["status"], registry=REGISTRY
)


def serve(port: int) -> None:
    start_http_server(port, registry=REGISTRY)
