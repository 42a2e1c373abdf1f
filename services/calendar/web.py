"""What the calendar's HTTP routes share: the signed-in staff member (the service is `CalendarServiceDep`
from app.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.auth import StaffUser
from shared.web_auth import staff_user

Staff = Annotated[StaffUser, Depends(staff_user)]
