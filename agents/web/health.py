"""Web views on the worker's port: Prometheus metrics and a health check. /health answers 503
"degraded" with its reasons while a permanent Kafka error stands (agents/worker/degraded.py);
/health/live only says the worker's web server runs, for probes that restart on failure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import faust
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from agents import metrics

if TYPE_CHECKING:
    from agents.worker.degraded import Degraded


def add_views(app: faust.App, degraded: Degraded | None = None) -> None:
    @app.page("/metrics")
    async def metrics_view(web: Any, request: Any) -> Any:
        return web.bytes(
            generate_latest(metrics.REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    @app.page("/health")
    async def health_view(web: Any, request: Any) -> Any:
        assigned = sorted(f"{tp.topic}:{tp.partition}" for tp in app.consumer.assignment())
        problems = degraded.problems() if degraded is not None else []
        return web.json(
            {
                "status": "degraded" if problems else "ok",
                "app": app.conf.id,
                "assigned": assigned,
                "reasons": [problem.as_json() for problem in problems],
            },
            status=503 if problems else 200,
        )

    @app.page("/health/live")
    async def live_view(web: Any, request: Any) -> Any:
        return web.json({"status": "alive", "app": app.conf.id})
