"""A delivery's e-mail carries the same Message-ID on every attempt, so a copy sent again after a crash
(sent, but not yet recorded as sent) can be recognised as a repeat by the mail systems."""

from __future__ import annotations

import pytest

from services.notifications.channels import Email, build_email, reference_of

pytestmark = pytest.mark.unit

SENDER = "Selvhjelp Norge <ikke-svar@selvhjelp.example.no>"


def _email(delivery_id: int) -> Email:
    return Email("kari@example.org", "Hei", "hei", "<p>hei</p>", reference_of(delivery_id), "nb")


def test_the_same_delivery_built_twice_has_the_same_message_id() -> None:
    first, again = build_email(_email(41), SENDER), build_email(_email(41), SENDER)

    assert first["Message-ID"] == again["Message-ID"] == "<selvhjelp-41@selvhjelp.example.no>"


def test_two_deliveries_have_different_message_ids() -> None:
    assert build_email(_email(41), SENDER)["Message-ID"] != build_email(_email(42), SENDER)["Message-ID"]


def test_the_message_id_domain_does_not_depend_on_the_host() -> None:
    assert build_email(_email(41), "ikke-svar")["Message-ID"] == "<selvhjelp-41@selvhjelp.local>"
