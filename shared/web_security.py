"""One middleware for what every response and every state-changing request of every service needs.

Headers: a Content-Security-Policy that allows only the service's own scripts, styles and images and no
framing (clickjacking), `nosniff`, no Referer (paths carry private links), HSTS outside development.

Cross-site requests: a POST, PUT, PATCH or DELETE that a browser sends from another site is refused with
403, whatever cookie it carries, so no other site can act as a signed-in staff member or submit a
participant's form. Browsers say where a request comes from (`Sec-Fetch-Site`, `Origin`); a request with
neither comes from a program (the JSON API, the SMS gateway) and carries no ambient cookie to abuse.
SameSite cookies alone are not enough: they do not cover every browser, sibling subdomains are "same
site", and participant forms act on a link in the path, not on a cookie.

A plain ASGI middleware, like shared/request_timing.py, for the same reason (speed).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Swagger UI and ReDoc (development only) load their scripts from a CDN and inline them.
NO_CSP_PATHS = ("/docs", "/redoc")
HSTS = "max-age=31536000; includeSubDomains"


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def content_security_policy(form_targets: Iterable[str]) -> str:
    # The development sign-in hops through every service with redirects after a form post, which
    # form-action also governs: the four services are allowed targets, nothing else.
    targets = " ".join(sorted({origin_of(url) for url in form_targets}))
    return (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        f"frame-ancestors 'none'; form-action 'self' {targets}".rstrip()
    )


class SecureWeb:
    def __init__(self, app: ASGIApp, *, trusted_origins: Iterable[str], development: bool) -> None:
        self.app = app
        self.trusted = {origin_of(url) for url in trusted_origins}
        self.development = development
        self.headers = [
            (b"content-security-policy", content_security_policy(self.trusted).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if not development:
            self.headers.append((b"strict-transport-security", HSTS.encode()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] in STATE_CHANGING and (refusal := self.cross_site(Headers(scope=scope))):
            await self.refuse(refusal, send)
            return
        csp = not scope["path"].startswith(NO_CSP_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers:
                    if csp or name != b"content-security-policy":
                        headers.setdefault(name.decode(), value.decode())
                headers.setdefault("referrer-policy", "no-referrer")
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def cross_site(self, headers: Headers) -> str | None:
        """Why a state-changing request must be refused, or None."""
        site = headers.get("sec-fetch-site")
        origin = headers.get("origin")
        if site in ("same-origin", "none"):  # "none": the person typed it or used a bookmark
            return None
        if site is None and origin is None:
            return None  # not a browser: no cookie of a person rides along
        if origin is None:
            return f"a {site} request without an Origin header"
        if origin == "null":
            return "a request from an opaque origin"
        host = headers.get("host", "")
        if urlsplit(origin).netloc.lower() == host.lower() or origin.lower() in self.trusted:
            return None
        return f"a request from {origin}"

    async def refuse(self, reason: str, send: Send) -> None:
        body = json.dumps(
            {"detail": f"cross-site request refused: {reason} may not change anything here"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    *self.headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
