"""Staff sign-in with OpenID Connect, for every service: the authorization-code flow with PKCE (Authlib),
our own short session afterwards, and sign-out at the provider (RP-initiated logout). ADR 0013.

Each service is a redirect URI of the same client (a cookie belongs to one host), so a person signed in
at the provider passes through the other services' `/staff/oidc/start` without seeing a login page again.

    /staff/oidc/start?next=URL   state, nonce and PKCE verifier into a sealed flow cookie; to the provider
    /staff/oidc/callback         code -> tokens; ID token verified; our session cookie; on to `next`
    /staff/oidc/end-session      (grouping, the end of the sign-out hop) the provider's end_session_endpoint

The session is our own staff token (shared.auth: our claims, `oidc_session_seconds` long, revocable by
sign-out) in the staff cookie, exactly like the development sign-in's, so every page checks one thing.
The provider's ID token is kept only as the logout hint, sealed in a cookie of its own.
"""

from __future__ import annotations

import base64
import json
import os
import time
import warnings
from html import escape
from urllib.parse import quote, urlencode

import authlib.deprecate  # noqa: F401  (it installs its warning filter on import: before ours)
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shared.auth import issue_staff_token
from shared.keys import Keyring, UnknownKey
from shared.oidc import InvalidProviderToken, claim_mapping, map_claims, provider_for
from shared.web.dependencies import current_service

with warnings.catch_warnings():
    # Authlib would rather use the `httpx2` package; plain httpx is what this project locks and uses.
    warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
    from authlib.common.security import generate_token
    from authlib.integrations.httpx_client import AsyncOAuth2Client

FLOW_COOKIE = "staff_oidc_flow"
FLOW_SECONDS = 600
START_PATH = "/staff/oidc/start"
CALLBACK_PATH = "/staff/oidc/callback"
END_SESSION_PATH = "/staff/oidc/end-session"


def oidc_enabled(settings) -> bool:
    return bool(settings.oidc_issuer)


def hint_cookie_name(settings) -> str:
    # `__Host-` needs Secure, and plain http on loopback (development) cannot carry a Secure cookie for
    # every client we test with; production is https only (see shared.web_auth.STAFF_COOKIE).
    return "staff_oidc_hint" if settings.is_development else "__Host-staff_oidc_hint"


# --- sealed cookies: AES-GCM with a key derived for the purpose, so the browser can neither read nor
# forge the PKCE verifier, the nonce or the ID token, and one kind of cookie is never taken for another.


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def seal(keyring: Keyring, purpose: str, data: dict, lifetime: int) -> str:
    body = json.dumps({**data, "exp": int(time.time()) + lifetime}).encode()
    nonce = os.urandom(12)
    key = keyring.derive(keyring.current, "oidc-cookie/" + purpose)
    return f"{keyring.current}.{_b64(nonce + AESGCM(key).encrypt(nonce, body, purpose.encode()))}"


def unseal(keyring: Keyring, purpose: str, value: str | None) -> dict | None:
    if not value or "." not in value:
        return None
    kid, _, sealed = value.partition(".")
    try:
        raw = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
        key = keyring.derive(kid, "oidc-cookie/" + purpose)
        data = json.loads(AESGCM(key).decrypt(raw[:12], raw[12:], purpose.encode()))
    except (UnknownKey, InvalidTag, ValueError):
        return None
    return data if data.get("exp", 0) > time.time() else None


def _set_cookie(response: Response, name: str, value: str, settings, max_age: int) -> None:
    # Lax, not Strict: the flow cookie must come back on the provider's redirect to our callback.
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=not settings.is_development,
        path="/",
    )


def start_url(settings, next_url: str) -> str:
    """The sign-in link for `next_url`: the flow starts at the service the page belongs to, so its
    session cookie lands on that service's host."""
    from shared.web.staff import safe_next, service_urls

    target = safe_next(settings, next_url)
    base = next(
        (b for b in service_urls(settings).values() if target == b or target.startswith(b + "/")),
        settings.grouping_url,
    )
    return f"{base}{START_PATH}?next={quote(target, safe='')}"


def _client(settings, service_url: str) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value(),
        token_endpoint_auth_method="client_secret_basic",
        scope=settings.oidc_scopes,
        redirect_uri=f"{service_url}{CALLBACK_PATH}",
        code_challenge_method="S256",
        timeout=10,
    )


def oidc_router(service_name: str) -> APIRouter:
    from shared.web.roles import landing
    from shared.web.staff import safe_next, service_urls
    from shared.web_auth import set_staff_cookie

    router = APIRouter(include_in_schema=False)

    def configured(request: Request):
        service = current_service(request)
        if not oidc_enabled(service.settings):
            raise HTTPException(404, "not found")
        return service, service.settings, provider_for(service.settings)

    @router.get(START_PATH)
    async def start(request: Request, next: str | None = None) -> Response:
        service, settings, provider = configured(request)
        metadata = await provider.metadata()
        flow = {
            "state": generate_token(32),
            "nonce": generate_token(32),
            "verifier": generate_token(64),
            "next": safe_next(settings, next),
        }
        async with _client(settings, service_urls(settings)[service_name]) as client:
            url, _ = client.create_authorization_url(
                metadata["authorization_endpoint"],
                state=flow["state"],
                code_verifier=flow["verifier"],
                nonce=flow["nonce"],
            )
        response = RedirectResponse(url, status_code=303)
        _set_cookie(
            response, FLOW_COOKIE, seal(service.keyring, "flow", flow, FLOW_SECONDS), settings, FLOW_SECONDS
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    @router.get(CALLBACK_PATH)
    async def callback(request: Request) -> Response:
        service, settings, provider = configured(request)
        params = request.query_params
        flow = unseal(service.keyring, "flow", request.cookies.get(FLOW_COOKIE))
        if flow is None or params.get("state") != flow["state"]:
            raise HTTPException(400, "this sign-in was not started here, or took too long: start again")
        if "error" in params:
            raise HTTPException(403, f"the sign-in was refused: {params.get('error')}")
        # RFC 9207: the answer must come from our provider (a mix-up attack swaps providers).
        if params.get("iss") not in (None, provider.issuer):
            raise HTTPException(400, "the sign-in answer comes from another provider")
        metadata = await provider.metadata()
        async with _client(settings, service_urls(settings)[service_name]) as client:
            tokens = await client.fetch_token(
                metadata["token_endpoint"],
                grant_type="authorization_code",
                code=params.get("code", ""),
                code_verifier=flow["verifier"],
            )
        try:
            claims = await provider.verify(
                tokens.get("id_token", ""), audience=settings.oidc_client_id, nonce=flow["nonce"]
            )
        except InvalidProviderToken as error:
            raise HTTPException(401, f"the provider's ID token was refused: {error}") from None
        if (
            isinstance(claims["aud"], list)
            and claims.get("azp", settings.oidc_client_id) != settings.oidc_client_id
        ):
            raise HTTPException(401, "the ID token was issued to another client")
        user = map_claims(claims, claim_mapping(settings))
        if user is None:
            raise HTTPException(403, "your account has no role in selvhjelp: ask your IT department")
        session_token = issue_staff_token(
            service.keyring,
            user.subject,
            user.district,
            sorted(user.roles),
            lifetime=settings.oidc_session_seconds,
            issuer=settings.staff_token_issuer,
            municipalities=sorted(user.municipalities),
            email=user.email,
        )
        # A page that moves on by itself rather than a redirect: after a cross-site redirect chain from
        # the provider, Chromium would not send our SameSite=Strict session cookie to the next page.
        # No page asked for (a bare sign-in asks for the staff overview): the role's own home.
        target = escape(landing(settings, flow["next"], user.roles))
        response = HTMLResponse(
            f'<!DOCTYPE html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={target}">'
            f'<title>…</title><p><a href="{target}">Fortsett</a></p>',
            headers={"Cache-Control": "no-store"},
        )
        set_staff_cookie(response, session_token, settings, settings.oidc_session_seconds)
        hint = seal(service.keyring, "hint", {"id_token": tokens["id_token"]}, settings.oidc_session_seconds)
        _set_cookie(response, hint_cookie_name(settings), hint, settings, settings.oidc_session_seconds)
        response.delete_cookie(FLOW_COOKIE, path="/")
        return response

    @router.get(END_SESSION_PATH)
    async def end_session(request: Request) -> Response:
        """The end of the sign-out hop: sign out at the provider too, and come back to our sign-in page."""
        service, settings, provider = configured(request)
        metadata = await provider.metadata()
        back = f"{settings.grouping_url}/staff/sign-in"
        endpoint = metadata.get("end_session_endpoint")
        if not endpoint:
            response: Response = RedirectResponse(back, status_code=303)
        else:
            hint = unseal(service.keyring, "hint", request.cookies.get(hint_cookie_name(settings)))
            query = {"post_logout_redirect_uri": back, "client_id": settings.oidc_client_id}
            if hint:
                query["id_token_hint"] = hint["id_token"]
            response = RedirectResponse(f"{endpoint}?{urlencode(query)}", status_code=303)
        response.delete_cookie(hint_cookie_name(settings), path="/")
        return response

    return router
