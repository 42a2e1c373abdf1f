"""Sending one rendered message over its channel: for the sender's worker, and right away, storing nothing,
for the erasure confirmation."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from .channels import Channels, DeliveryFailed, Email
from .rendering import RenderedMessage, render

log = logging.getLogger("selvhjelp.notifications.sender")


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str | None
    mobile: str | None
    language: str


async def send_rendered(
    channels: Channels, channel: str, to: Recipient, message: RenderedMessage, reference: str
) -> None:
    if channel == "email":
        if not to.email:
            raise DeliveryFailed("no e-mail address on file", permanent=True)
        email = Email(to.email, message.subject, message.text, message.html, reference, to.language)
        await channels.mail.send(email)
    elif channel == "sms":
        if not to.mobile:
            raise DeliveryFailed("no mobile number on file", permanent=True)
        await channels.sms.send(to.mobile, message.sms, reference)
    else:
        raise DeliveryFailed(f"unknown channel {channel!r}", permanent=True)


async def send_immediately(
    channels: Channels,
    channel: str,
    recipient: Recipient,
    message_type: str,
    context: dict[str, Any],
    key: str,
) -> bool:
    """Render and send now, storing nothing (the erasure confirmation: afterwards there is nobody to
    store it for). Returns whether it went out; failures are logged without the address."""
    try:
        message = render(message_type, recipient.language, {**context, "name": recipient.name})
        await send_rendered(channels, channel, recipient, message, key)
        return True
    except DeliveryFailed as failure:
        log.warning(
            "immediate message not sent",
            extra={"message_type": message_type, "channel": channel, "error": failure.reason},
        )
    except Exception as error:
        log.warning(
            "immediate message not sent",
            extra={"message_type": message_type, "channel": channel, "error": type(error).__name__},
        )
    return False
