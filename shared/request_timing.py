"""Every HTTP request timed (`selvhjelp_http_seconds`) and traced (a SERVER span continuing the caller's
trace), both named by the route template and never by the path: paths carry signed participant links.

A plain ASGI middleware on purpose. Starlette's `BaseHTTPMiddleware` (what `@app.middleware("http")`
builds) runs each request in an extra task and passes the response through a memory stream; on the
registration intake that was about a fifth of a request's CPU.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.audit import request_acting
from shared.observability import metrics
from shared.tracing import serving


class TimeAndTraceRequests:
    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method = scope["method"]
        status = 500  # unless the app answers: an exception escaping it becomes a 500 further out

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with request_acting(), serving(self.service, method, _headers(scope)) as span:
            try:
                await self.app(scope, receive, send_noting_status)
            finally:
                # The router put the matched route into this same scope.
                label = getattr(scope.get("route"), "path", "unmatched")
                span.update_name(f"{method} {label}")
                span.set_attribute("http.route", label)
                span.set_attribute("http.response.status_code", status)
                metrics.http_latency.labels(self.service, label).observe(time.perf_counter() - started)


def _headers(scope: Scope) -> dict[str, Any]:
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
