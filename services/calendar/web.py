"""What the calendar's HTTP routes share: the service, the config, and the signed-in staff member."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.auth import StaffUser
from shared.web_auth import staff_user

from .config import CalendarConfig


def service_of(request: Request):
    return request.app.state.service


def config_of(request: Request) -> CalendarConfig:
    return request.app.state.service.calendar


Staff = Annotated[StaffUser, Depends(staff_user)]
