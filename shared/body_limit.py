"""A limit on every request body, answered with 413 before the app buffers or parses more than the limit.

Uvicorn and Starlette accept bodies of any size: a form, a JSON body or a multipart upload of gigabytes
would be read into memory. Checked twice: the declared Content-Length up front, and the bytes actually
received (a chunked body declares none). A plain ASGI middleware, like TimeAndTraceRequests.
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def too_large(limit: int) -> HTTPException:
    return HTTPException(413, f"the request body is larger than the {limit} bytes this address accepts")


class LimitRequestBodies:
    """`max_bytes` for every body; `max_upload_bytes` for multipart uploads on the staff pages (the CSV
    imports), where a larger file is expected and only signed-in staff reach the handler."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes

    def limit_for(self, scope: Scope, headers: dict[bytes, bytes]) -> int:
        upload = headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data")
        staff = scope.get("path", "").startswith("/staff/")
        return self.max_upload_bytes if upload and staff else self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        limit = self.limit_for(scope, headers)
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # FastAPI passes an HTTPException raised while reading the body on to its handler.
                    raise too_large(limit)
            return message

        async def noting_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, noting_send)
        except HTTPException as error:
            # Raised where no exception handler saw it (outside FastAPI's routing): answer here if we can.
            if error.status_code != 413 or started:
                raise
            await self._refuse(scope, receive, send, limit)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        error = too_large(limit)
        # Connection: close, so the server does not try to read the rest of the body it was sent.
        response = JSONResponse({"detail": error.detail}, status_code=413, headers={"Connection": "close"})
        await response(scope, receive, send)
