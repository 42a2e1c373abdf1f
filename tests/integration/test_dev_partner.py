"""`make run` makes the demo partner system's broker user and prints its credentials and reply queue with the
other sign-ins (issue 20): with them a newcomer publishes a registration and reads the answer."""

from __future__ import annotations

import pytest

from services.registration.app import create_app
from shared.devpartner import create_demo_partners
from shared.devrun import urls_text
from shared.partners import Partner
from tests.support import eventually, running
from tests.support.factories import submitted_envelope
from tests.support.partners import PartnerUser, delete_partner_users, unique_partner_names

pytestmark = pytest.mark.integration


async def test_the_demo_partner_can_submit_with_the_printed_credentials_and_read_its_answer(
    servers, settings, tmp_path
):
    # A name of this test's own: broker users are global to the broker (the demo's is `partner-demo`).
    [name] = unique_partner_names(1)
    partner = Partner(name=name)
    app = create_app(settings.model_copy(update={"partners": [partner]}))
    try:
        async with running(app.state.service):
            [made] = create_demo_partners(
                servers.management_url,
                settings.rabbitmq_url,
                tmp_path,
                auth=servers.management_auth,
                partners=[partner],
            )
            # The same password on a second run of the same directory (it is printed, and kept).
            [again] = create_demo_partners(
                servers.management_url,
                settings.rabbitmq_url,
                tmp_path,
                auth=servers.management_auth,
                partners=[partner],
            )
            assert again.password == made.password

            printed = urls_text(servers.management_url, partners=[made])
            assert made.password in printed and made.amqp_url in printed
            assert f"answers on queue partner.{name}.replies" in printed

            user = PartnerUser(made.name, made.password, made.amqp_url)
            await user.publish(submitted_envelope(external_ref="demo-1"))
            answers = await eventually(user.take, timeout=20)
            assert answers[0]["event_type"] == "registration.received.v1"
            assert answers[0]["data"]["external_ref"] == "demo-1"
    finally:
        await delete_partner_users(servers, [name])
