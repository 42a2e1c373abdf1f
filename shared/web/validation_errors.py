"""Every service's 422 for a request that fails validation: each field and why, never FastAPI's echo of the
input. The input may be sensitive, and a NaN or a lone surrogate in it cannot even be written as JSON (that
turned a 422 into a 500 in registration, and later in the calendar's registry API)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


def _printable(value: Any) -> Any:
    # A lone surrogate (JSON's "\ud800") cannot be written back as UTF-8.
    return value.encode("utf-8", "replace").decode("utf-8") if isinstance(value, str) else value


async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
    return JSONResponse(
        status_code=422,
        content={
            "detail": [
                {"loc": [_printable(p) for p in e["loc"]], "msg": _printable(e["msg"]), "type": e["type"]}
                for e in error.errors()
            ]
        },
    )
