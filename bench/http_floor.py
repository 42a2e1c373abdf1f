"""The HTTP intake's floor on this machine: FastAPI and uvicorn answering the intake's route with its
request model (the same validation), and no database, no outbox, no events. `bench/speed.py` sends it the
same requests as the registration service, so the two rates show what the framework itself costs here.

    python -m uvicorn http_floor:app --port N     (with bench/ and the repository on PYTHONPATH)
"""

from __future__ import annotations

import uuid

from fastapi import FastAPI, status

from shared.contracts import RegistrationDetails

app = FastAPI()


@app.post("/api/v1/registrations", status_code=status.HTTP_202_ACCEPTED)
async def submit(details: RegistrationDetails) -> dict[str, str]:
    return {"registration_id": str(uuid.uuid4()), "status_token": "-" * 80}
