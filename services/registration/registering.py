"""Registering from the sign-up form's fields, for every page that shows that form: the public page
(`source=self`), the district office's staff form (`source=district_office`) and the contact points'
(`source=contact_point`). One flow, so all of them keep the same rules, consent and error messages.

The form's own id (plus what was sent) is the idempotency key: a double click registers once, and going
back to correct something and sending again is a new registration.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import norway_today
from shared.contracts import RegistrationDetails
from shared.texts import texts_for

from . import commands, domain
from .sign_up_form import details_body, in_form_order, invalid_errors, refused_errors
from .texts import TEXTS

_FORM_ID = re.compile(r"^[0-9a-f]{32}$")

# Called in the registration's transaction with the new participant's id (e.g. to audit a staff action).
AfterRegistered = Callable[[AsyncSession, uuid.UUID], Awaitable[None]]


@dataclass(frozen=True)
class FormOutcome:
    """Registered (`participant_id`), or the problems per field and the HTTP status to answer with."""

    participant_id: uuid.UUID | None = None
    errors: dict[str, str] = field(default_factory=dict)
    status_code: int = 200
    retry_after: int | None = None
    created: bool = False


async def register_from_form(
    service: Any,
    values: dict[str, Any],
    language: str,
    *,
    source: str = "self",
    client_host: str | None = None,
    rate_limited: bool = True,
    after: AfterRegistered | None = None,
    page_errors: dict[str, str] | None = None,
    submitted_by: str | None = None,
    key_prefix: str = "web",
) -> FormOutcome:
    """Validate and submit the form's values. `rate_limited=False` for signed-in staff, who register many
    people from one place by design; the public form is limited per client and per contact.

    `page_errors`: what the page itself refused (a contact point's municipality outside its own), shown
    with the form's own problems; `submitted_by`: the signed-in contact point, kept on the registration;
    `key_prefix` keeps one page's idempotency keys apart from another's."""
    texts = texts_for(TEXTS, language)
    details = None
    errors: dict[str, str] = {}
    now = service.clock()  # what the unit of work below has too: the rules' day is Norway's on it
    try:
        details = RegistrationDetails.model_validate(details_body(values, now, source))
    except ValidationError as invalid:
        errors = invalid_errors(invalid, texts)
    if page_errors or details is None:
        return FormOutcome(errors=in_form_order({**errors, **(page_errors or {})}), status_code=422)

    if rate_limited:
        limited = await service.intake_limits.check(client_host, details)
        if limited is not None:
            message = texts["errors"]["rate_limited"].format(minutes=math.ceil(limited.retry_after / 60))
            return FormOutcome(errors={"form": message}, status_code=429, retry_after=limited.retry_after)

    request_hash = hashlib.sha256(
        json.dumps(details.model_dump(mode="json", exclude={"consent"}), sort_keys=True).encode()
    ).hexdigest()
    form_id = values["form_id"] if _FORM_ID.match(values.get("form_id") or "") else None
    participant_id = domain.participant_id_for(
        details.source, details.external_ref, domain.identity_key(service.settings)
    )
    created = False
    try:
        async with service.transaction() as uow:
            earlier = None
            if form_id:
                key = f"{key_prefix}:{form_id}:{request_hash}"
                earlier = await commands.claim_idempotency_key(uow.session, key, request_hash, participant_id)
            if earlier is not None:
                participant_id = earlier[0]
            else:
                await commands.submit_registration(
                    uow.session,
                    uow.outbox,
                    details,
                    today=norway_today(now),
                    participant_id=participant_id,
                    submitted_by=submitted_by,
                )
                created = True
                if after is not None:
                    await after(uow.session, participant_id)
    except domain.RegistrationRefused as refused:
        return FormOutcome(errors=refused_errors(refused, texts), status_code=422)
    return FormOutcome(participant_id=participant_id, created=created)
