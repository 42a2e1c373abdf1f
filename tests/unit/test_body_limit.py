"""Every request body has a limit (issue 18, finding 11): 413 past it, whether the size is declared or not,
with a larger limit only for uploads to the staff pages (the CSV imports)."""

from __future__ import annotations

from typing import Annotated

import httpx
import pytest
from fastapi import FastAPI, File, Request, UploadFile

from shared.body_limit import LimitRequestBodies

pytestmark = pytest.mark.unit


def app(max_bytes: int = 1024, max_upload_bytes: int = 4096) -> FastAPI:
    api = FastAPI()

    @api.post("/api/echo")
    async def echo(body: dict) -> dict:
        return {"keys": len(body)}

    @api.post("/form")
    async def form(request: Request) -> dict:
        return {"fields": len(await request.form())}

    @api.post("/staff/import")
    async def upload(file: Annotated[UploadFile, File()]) -> dict:
        return {"bytes": len(await file.read())}

    api.add_middleware(LimitRequestBodies, max_bytes=max_bytes, max_upload_bytes=max_upload_bytes)
    return api


async def post(path: str, **kwargs) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app()), base_url="http://t") as client:
        return await client.post(path, **kwargs)


async def test_a_body_within_the_limit_passes():
    assert (await post("/api/echo", json={"a": "x" * 500})).json() == {"keys": 1}


async def test_a_declared_body_over_the_limit_is_a_413_with_a_clear_reason():
    response = await post("/api/echo", json={"a": "x" * 2000})
    assert response.status_code == 413
    assert "larger than the 1024 bytes" in response.json()["detail"]


async def test_an_undeclared_chunked_body_over_the_limit_is_a_413_too():
    async def chunks():
        for _ in range(10):
            yield b'{"a": "' + b"x" * 200 + b'"}'

    response = await post("/api/echo", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    form = await post(
        "/form", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert form.status_code == 413


async def test_staff_uploads_get_the_larger_limit_and_nothing_else_does():
    upload = {"file": ("venues.csv", b"x" * 3000, "text/csv")}
    assert (await post("/staff/import", files=upload)).json() == {"bytes": 3000}
    too_big = {"file": ("venues.csv", b"x" * 5000, "text/csv")}
    assert (await post("/staff/import", files=too_big)).status_code == 413
    # The same multipart body on a public address keeps the small limit.
    assert (await post("/form", files=upload)).status_code == 413
