"""The signed, personal links in messages. Each token is bound to one purpose and one person
(shared.auth), so a forwarded reminder cannot be used to answer someone else's invitation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from urllib.parse import urlencode

from shared.auth import sign_link
from shared.settings import Settings

from .domain import as_oslo

REGISTRATION_STATUS = "registration-status"
INVITATION = "invitation"
ABSENCE = "absence"
ADMISSION_VOTE = "admission-vote"
PREFERENCES = "preferences"
# Grouping's leave page (services/grouping/leave_pages.py): one link per person, in every group message.
LEAVE_GROUP = "leave-group"
GROUP_DECISION = "group-decision"  # grouping's page of a group's decisions (decision_pages.py)
# The calendar service's purpose for a person's meetings page and feed (services/calendar/config.py); the
# link lives as long as a calendar subscription does, as the one grouping shows after accepting.
CALENDAR = "participant-feed"
CALENDAR_LINK_SECONDS = 3 * 366 * 24 * 3600


def meeting_param(meeting_start: datetime) -> str:
    """The meeting in a link: ISO 8601 in UTC, so it round-trips without a `+` to escape."""
    return as_oslo(meeting_start).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Links:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.keyring = settings.keyring()

    def _token(self, purpose: str, participant_id: uuid.UUID) -> str:
        return sign_link(self.keyring, purpose, participant_id)

    def status(self, participant_id: uuid.UUID) -> str:
        return f"{self.settings.registration_url}/status/{self._token(REGISTRATION_STATUS, participant_id)}"

    def register(self) -> str:
        return f"{self.settings.registration_url}/"

    def invitation(self, participant_id: uuid.UUID) -> dict[str, str]:
        # Every link opens grouping's page; nothing is decided by a GET (mail scanners follow links).
        page = f"{self.settings.grouping_url}/invitations/{self._token(INVITATION, participant_id)}"
        return {
            "invitation_url": page,
            "accept_url": f"{page}?{urlencode({'answer': 'accept'})}",
            "decline_url": f"{page}?{urlencode({'answer': 'decline'})}",
        }

    def absence(self, participant_id: uuid.UUID, meeting_start: datetime) -> str:
        token = self._token(ABSENCE, participant_id)
        return f"{self.settings.notifications_url}/absence/{token}?{urlencode({'meeting': meeting_param(meeting_start)})}"

    def admission_votes(self, participant_id: uuid.UUID, request_id: uuid.UUID) -> dict[str, str]:
        page = f"{self.settings.grouping_url}/admission/{self._token(ADMISSION_VOTE, participant_id)}"
        return {
            # The members' newcomers page: the candidates, a yes or no for each.
            "vote_url": page,
            "vote_yes_url": f"{page}?{urlencode({'request': str(request_id), 'vote': 'yes'})}",
            "vote_no_url": f"{page}?{urlencode({'request': str(request_id), 'vote': 'no'})}",
        }

    def leave(self, participant_id: uuid.UUID) -> str:
        return f"{self.settings.grouping_url}/leave/{self._token(LEAVE_GROUP, participant_id)}"

    def decisions(self, participant_id: uuid.UUID) -> str:
        """The member's page of their group's decisions: vote, and propose a change."""
        return f"{self.settings.grouping_url}/decisions/{self._token(GROUP_DECISION, participant_id)}"

    def preferences(self, participant_id: uuid.UUID) -> str:
        return f"{self.settings.notifications_url}/preferences/{self._token(PREFERENCES, participant_id)}"

    def calendar(self, participant_id: uuid.UUID) -> dict[str, str]:
        """The person's meetings page and calendar subscription: one signed token for both, as the calendar
        service's own page builds them (member_pages.py)."""
        token = sign_link(self.keyring, CALENDAR, participant_id, lifetime=CALENDAR_LINK_SECONDS)
        base = self.settings.calendar_url
        return {
            "meetings_url": f"{base}/meetings/{token}",
            "calendar_feed_url": f"{base}/feeds/participants/{token}.ics",
        }
