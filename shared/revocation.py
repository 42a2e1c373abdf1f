"""Revoking what was signed before: a person's links (on erasure) and a staff token (on sign-out).

Each service keeps both tables in its own schema, because each verifies links and staff tokens itself
(ADR 0010). A person's links are cut by one row, `links_valid_after`: a link issued at or before it is
refused, so a link sent before an erasure stays dead even when the same reference registers again and
gets the same participant id. The row names the person by a one-way digest of the id, so an erasure
leaves no trace of the id itself. A staff token is revoked by its `jti` until it would have expired anyway.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, MetaData, String, Table, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import InvalidLink, StaffUser, read_link
from shared.keys import Keyring


def link_revocations_table(metadata: MetaData) -> Table:
    if (existing := _existing(metadata, "link_revocations")) is not None:
        return existing
    return Table(
        "link_revocations",
        metadata,
        Column("person_digest", String(64), primary_key=True),  # see person_digest()
        Column("links_valid_after", DateTime(timezone=True), nullable=False),
    )


def revoked_staff_tokens_table(metadata: MetaData) -> Table:
    if (existing := _existing(metadata, "revoked_staff_tokens")) is not None:
        return existing
    return Table(
        "revoked_staff_tokens",
        metadata,
        Column("token_id", String(64), primary_key=True),
        Column("expires_at", DateTime(timezone=True), nullable=False),
    )


def _existing(metadata: MetaData, name: str) -> Table | None:
    return metadata.tables.get(f"{metadata.schema}.{name}" if metadata.schema else name)


# --- participant links ------------------------------------------------------------------------------
def person_digest(participant_id: uuid.UUID) -> str:
    return hashlib.sha256(b"selvhjelp/link-revocation/" + participant_id.bytes).hexdigest()


async def revoke_links(
    session: AsyncSession, metadata: MetaData, participant_id: uuid.UUID, at: datetime | None = None
) -> None:
    """Every link of the person issued until `at` (now) stops working, in this service."""
    at = at or datetime.now(UTC)
    table = link_revocations_table(metadata)
    statement = insert(table).values(person_digest=person_digest(participant_id), links_valid_after=at)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.person_digest],
            set_={"links_valid_after": statement.excluded.links_valid_after},
        )
    )


async def check_link(sessions, metadata: MetaData, keyring: Keyring, purpose: str, token: str) -> uuid.UUID:
    """The subject of a valid link that was not revoked since it was issued; else InvalidLink."""
    link = read_link(keyring, purpose, token)
    table = link_revocations_table(metadata)
    async with sessions() as session:
        valid_after = await session.scalar(
            select(table.c.links_valid_after).where(table.c.person_digest == person_digest(link.subject))
        )
    # Seconds are the links' precision: a link from the very second of a revocation counts as revoked.
    if valid_after is not None and link.issued_at <= valid_after:
        raise InvalidLink("link was revoked")
    return link.subject


# --- staff tokens -----------------------------------------------------------------------------------
async def revoke_staff_token(session: AsyncSession, metadata: MetaData, user: StaffUser) -> None:
    table = revoked_staff_tokens_table(metadata)
    now = datetime.now(UTC)
    # Rows are only needed while their token could still verify; sign-outs tidy up after themselves.
    await session.execute(delete(table).where(table.c.expires_at < now))
    await session.execute(
        insert(table)
        .values(token_id=user.token_id, expires_at=user.expires_at or now)
        .on_conflict_do_nothing(index_elements=[table.c.token_id])
    )


async def staff_token_revoked(sessions, metadata: MetaData, user: StaffUser) -> bool:
    table = revoked_staff_tokens_table(metadata)
    async with sessions() as session:
        found = await session.scalar(select(table.c.token_id).where(table.c.token_id == user.token_id))
    return found is not None
