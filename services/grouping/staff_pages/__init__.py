"""The staff console's home, served by grouping (it owns the pool and the groups): development sign-in,
overview with charts, waiting pool with reasons and hints, groups, and grouping's audit log.

Every page needs the staff cookie (shared.web_auth.staff_page_user) and shows only the staff member's
district; another district's group answers 404. Changes go through the same commands as the API and are
audited. Forms are plain POSTs protected by the SameSite=Strict cookie.

One module per page (or pair of pages); this one puts their routes together, in the order they were written.
"""

from __future__ import annotations

from fastapi import APIRouter

from shared.audit.pages import audit_pages

from ..models import audit_log
from ..staff_texts import STAFF_TEXTS
from . import arrange_pages, group_pages, overview, pool_page, sign_in, statistics_page
from .common import environment

staff_pages = APIRouter(include_in_schema=False)
for page_module in (sign_in, overview, pool_page, group_pages, arrange_pages, statistics_page):
    staff_pages.include_router(page_module.router)
staff_pages.include_router(audit_pages("grouping", audit_log, environment, STAFF_TEXTS))
