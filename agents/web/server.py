"""How the worker's web server (Faust's aiohttp driver) treats connections: one that sits idle,
before its first request or between keep-alive requests, is closed after
WIRESTREAM_HTTP_TIMEOUT_SECONDS. aiohttp would otherwise keep it open for an hour, so idle
sockets could pile up until the process runs out of file descriptors."""

from __future__ import annotations

from typing import Any

import faust


class WebServerChanged(RuntimeError):
    """Faust's web driver no longer builds its aiohttp server the way this module expects."""


def limit_idle_connections(app: faust.App, seconds: float) -> None:
    """Set aiohttp's keep-alive timeout on the app's web server; call before the app starts.
    Faust builds its aiohttp `AppRunner` without one and passes no option through, so the
    runner's server arguments are set directly (aiohttp reads them when the server starts)."""
    runner: Any = getattr(app.web, "_runner", None)
    options = getattr(runner, "_kwargs", None)
    if not isinstance(options, dict):
        raise WebServerChanged(
            f"{type(app.web).__name__} has no aiohttp AppRunner with server options; the idle "
            "connection limit cannot be set (faust-streaming or aiohttp changed: update "
            "agents/web/server.py)"
        )
    options["keepalive_timeout"] = seconds
