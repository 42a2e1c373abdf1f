"""What every service's HTTP app does for browsers, whatever the route: security headers, cross-site
state changes refused, the staff cookie's attributes, and no docs or metrics in production."""

from __future__ import annotations

import httpx
import pytest
from fastapi import Response

from services.grouping.app import create_app as create_grouping
from services.registration.app import create_app as create_registration
from shared.settings import Settings
from shared.web_auth import set_staff_cookie

pytestmark = pytest.mark.unit

STRONG = "Vq3xT8pLr2Zs9Kd4Nw7Yb1Hc6Jf0Gm5Ue8Ia2Ox4Rt"
PRODUCTION = Settings(
    signing_key=STRONG,
    registration_url="https://registration.selvhjelp.example.org",
    grouping_url="https://grouping.selvhjelp.example.org",
)
DEVELOPMENT = Settings(environment="development")


def client(app, base_url="https://registration.selvhjelp.example.org") -> httpx.AsyncClient:
    # No lifespan: these requests are answered before any database or broker is needed.
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


async def test_every_response_carries_the_security_headers():
    async with client(create_registration(PRODUCTION)) as http:
        response = await http.get("/health/live")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


async def test_development_over_plain_http_has_no_hsts():
    async with client(create_registration(DEVELOPMENT), "http://127.0.0.1:8101") as http:
        response = await http.get("/health/live")
    assert "strict-transport-security" not in response.headers
    assert "content-security-policy" in response.headers


async def test_a_cross_site_post_is_refused_before_it_reaches_the_route():
    async with client(create_registration(PRODUCTION)) as http:
        for headers in (
            {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
            {"Sec-Fetch-Site": "same-site", "Origin": "https://evil.selvhjelp.example.org"},
            {"Origin": "https://evil.example"},  # an older browser without Sec-Fetch-*
            {"Origin": "null"},  # a sandboxed frame or a data: page
        ):
            response = await http.post("/api/v1/registrations", json={}, headers=headers)
            assert response.status_code == 403, headers
            assert response.json()["detail"].startswith("cross-site request refused")
            assert response.headers["x-content-type-options"] == "nosniff"


async def test_same_origin_sibling_service_and_program_requests_pass_the_check():
    async with client(create_registration(PRODUCTION)) as http:
        for headers in (
            {"Sec-Fetch-Site": "same-origin", "Origin": "https://registration.selvhjelp.example.org"},
            {"Sec-Fetch-Site": "same-site", "Origin": "https://grouping.selvhjelp.example.org"},
            {"Origin": "https://registration.selvhjelp.example.org"},
            {},  # the JSON API from another system: no Origin, no cookie
        ):
            response = await http.post("/api/v1/registrations", json={}, headers=headers)
            assert response.status_code == 422, headers  # reached the route, which refuses the body


async def test_docs_and_metrics_are_not_served_in_production():
    async with client(create_registration(PRODUCTION)) as http:
        for path in ("/docs", "/redoc", "/openapi.json", "/metrics"):
            assert (await http.get(path)).status_code == 404, path


async def test_development_serves_docs_and_metrics_on_the_app():
    async with client(create_grouping(DEVELOPMENT), "http://127.0.0.1:8102") as http:
        for path in ("/docs", "/openapi.json", "/metrics"):
            assert (await http.get(path)).status_code == 200, path


def test_the_production_staff_cookie_is_host_only_secure_httponly_and_strict():
    response = Response()
    set_staff_cookie(response, "token", PRODUCTION)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-staff_token=token;")
    attributes = {part.strip().split("=")[0].lower(): part for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite", "path"} <= attributes.keys()
    assert "domain" not in attributes
    assert attributes["samesite"].strip().lower() == "samesite=strict"
    assert attributes["path"].strip() == "Path=/"


def test_the_development_staff_cookie_works_over_plain_http():
    response = Response()
    set_staff_cookie(response, "token", DEVELOPMENT)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("staff_token=token;")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
