"""What every service is made of: a database, the outbox relay, FastStream consumers and an HTTP app with
health endpoints. A service's `app.py` builds one `Service`, registers its consumers and routers, and
returns `service.http_app()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.telemetry import TelemetryConfig
from faststream.middlewares import AckPolicy
from faststream.rabbit import Channel, ExchangeType, QueueType, RabbitExchange, RabbitQueue
from faststream.rabbit.annotations import RabbitMessage
from faststream.specification import AsyncAPI
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import MetaData, text

from shared.body_limit import LimitRequestBodies
from shared.clock import utc_now
from shared.contracts import Envelope, Event
from shared.db import create_engine, session_factory
from shared.messaging import (
    TOPOLOGY,
    EventConsumer,
    IncomingMessage,
    Outbox,
    OutboxRelay,
    Publisher,
    declare_topology,
    exchange_of,
    inbox_table,
    outbox_table,
)
from shared.messaging.connection import ClusterRabbitBroker
from shared.messaging.consumer import BeforeHandlers, Handler, RejectionHook
from shared.messaging.topology import topology_with_partners
from shared.observability import OutboxBacklogProbe, configure_logging
from shared.request_timing import TimeAndTraceRequests
from shared.retention import RetentionJob
from shared.revocation import check_link, link_revocations_table, revoked_staff_tokens_table
from shared.settings import Settings
from shared.tracing import configure_tracing
from shared.unit_of_work import UnitOfWork, transaction
from shared.web.validation_errors import invalid_request
from shared.web_security import SecureWeb

log = logging.getLogger("selvhjelp.service")
NO_FASTAPI_TELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
    "auto_configure": False,
}


async def _whole_message(message: Any) -> Any:
    # The consumer parses and validates the body itself, so a malformed body reaches it (and the DLQ)
    # instead of failing inside the framework where it would be neither acked nor dead-lettered. The
    # handler gets the whole message (to ack it), which also spares FastDepends' per-message injection
    # (`apply_types=False`): a large share of the CPU a message costs.
    return message


class Service:
    def __init__(self, name: str, metadata: MetaData, settings: Settings) -> None:
        self.name = name
        self.settings = settings
        self.metadata = metadata
        self.clock: Callable[[], datetime] = utc_now  # what `transaction()` gives as `uow.now()`
        self.outbox = Outbox(outbox_table(metadata), exchange_of(name))
        self.inbox = inbox_table(metadata)
        # Every service verifies links and staff tokens itself, so each keeps its own revocations.
        link_revocations_table(metadata)
        revoked_staff_tokens_table(metadata)
        self.keyring = settings.keyring()
        self.engine = create_engine(settings.database_url)
        self.sessions = session_factory(self.engine)
        self.publisher = Publisher(settings.rabbitmq_url)
        self.relay = OutboxRelay(
            self.outbox,
            self.sessions,
            self.publisher,
            poll_seconds=settings.outbox_poll_seconds,
            batch_size=settings.outbox_batch_size,
            retry_cap_seconds=settings.outbox_retry_cap_seconds,
        )
        self.broker = ClusterRabbitBroker(
            settings.rabbitmq_url,
            graceful_timeout=settings.graceful_timeout_seconds,
            logger=logging.getLogger(f"selvhjelp.{name}.broker"),
            log_level=logging.DEBUG,
            description=f"The {name} service of selvhjelp.",
            apply_types=False,
        )
        self.consumers: dict[str, EventConsumer] = {}
        # Objects with start() and async stop(): schedulers, pollers, probes.
        self.retention = RetentionJob(name, self.sessions, settings, self.outbox.table, self.inbox)
        self.background: list[Any] = [
            OutboxBacklogProbe(name, self.sessions, self.outbox.table),
            self.retention,
        ]
        self._started = False

    def transaction(self) -> contextlib.AbstractAsyncContextManager[UnitOfWork]:
        """One transaction with the outbox: events are written at commit and the relay woken after it
        (see shared/unit_of_work.py). Reads that change nothing use `self.sessions()`."""
        return transaction(self, self.clock)

    # --- wiring ------------------------------------------------------------------------------------
    def consume(
        self,
        queue_name: str,
        handlers: dict[str, Handler],
        *,
        on_rejected: RejectionHook | None = None,
        before_handlers: BeforeHandlers | None = None,
        documented_as: type[Event] | None = None,
        wake_after_commit: Callable[[], None] | None = None,
    ) -> EventConsumer:
        """`wake_after_commit`: a worker to wake, besides the outbox relay, once a batch has committed.
        `before_handlers`: runs in each transaction after the inbox insert, before the handlers, with the
        envelopes they will get (see `EventConsumer`)."""
        spec = TOPOLOGY.queue(queue_name)

        def after_commit() -> None:
            self.relay.wake()
            if wake_after_commit is not None:
                wake_after_commit()

        consumer = EventConsumer(
            name=f"{self.name}:{queue_name}",
            queue=queue_name,
            sessions=self.sessions,
            inbox=self.inbox,
            publisher=self.publisher,
            handlers=handlers,
            on_rejected=on_rejected,
            before_handlers=before_handlers,
            after_commit=after_commit,
            sender_named_by_user_id=spec.sender_named_by_user_id,
            retry_base_seconds=self.settings.transient_retry_base_seconds,
            retry_cap_seconds=self.settings.transient_retry_cap_seconds,
            batch_size=self.settings.consumer_batch_size,
            batches_in_flight=self.settings.consumer_batches_in_flight,
        )
        self.consumers[queue_name] = consumer
        exchange, routing_key = spec.bindings[0]
        queue = RabbitQueue(
            spec.name,
            queue_type=QueueType.QUORUM,
            durable=True,
            routing_key=routing_key,
            arguments=spec.arguments(self.settings.delivery_limit),  # type: ignore[arg-type]
            # In production the broker is pre-declared from definitions.json and a service's user may not
            # configure anything: then FastStream only checks the queue exists.
            declare=self.settings.declare_topology,
        )

        async def on_message(body: Any) -> None:
            message: RabbitMessage = body  # see _whole_message; `body` is annotated for AsyncAPI only
            incoming = IncomingMessage(
                body=message.body,
                routing_key=message.raw_message.routing_key or "",
                headers=dict(message.headers or {}),
                message_id=message.message_id,
                user_id=message.raw_message.user_id,
            )
            try:
                outcome = await consumer.process(incoming)
            except Exception:  # e.g. the DLQ copy could not be confirmed: never leave a message unsettled
                log.exception("message could not be settled; requeued", extra={"consumer": consumer.name})
                outcome = "requeue"
            if outcome == "requeue":
                await message.nack(requeue=True)
            else:
                await message.ack()

        payload = Envelope[documented_as] if documented_as else Envelope[Any]  # type: ignore[valid-type]
        on_message.__annotations__["body"] = payload | bytes
        self.broker.subscriber(
            queue,
            exchange=RabbitExchange(exchange, type=ExchangeType.TOPIC, durable=True),
            ack_policy=AckPolicy.MANUAL,
            decoder=_whole_message,
            channel=Channel(prefetch_count=self.settings.prefetch_count),
            title=f"{spec.name}:consume",
            description=spec.description
            + " Bindings: "
            + ", ".join(f"{ex} / {rk}" for ex, rk in spec.bindings)
            + ".",
        )(on_message)
        return consumer

    def document_publishes(
        self, *events: type[Event], exchange: str | None = None, routing_prefix: str = ""
    ) -> None:
        """Declare what this service publishes (through its outbox) so AsyncAPI shows it. `routing_prefix`:
        published under `<prefix><event type>` instead of the event type (e.g. replies to one partner)."""
        for event in events:
            self.broker.publisher(
                exchange=RabbitExchange(
                    exchange or exchange_of(self.name), type=ExchangeType.TOPIC, durable=True
                ),
                routing_key=routing_prefix + event.EVENT_TYPE,
                schema=Envelope[event],  # type: ignore[valid-type]
                title=f"{routing_prefix}{event.EVENT_TYPE}:publish",
                description=(event.__doc__ or "").strip() or None,
                persist=True,
                mandatory=True,
            )

    def asyncapi(self) -> AsyncAPI:
        return AsyncAPI(self.broker, title=f"selvhjelp {self.name}", version="1.0.0")

    # --- lifecycle ---------------------------------------------------------------------------------
    async def person_from_link(self, purpose: str, token: str) -> uuid.UUID:
        """The person a link is for, unless it is invalid, expired or revoked (then InvalidLink)."""
        return await check_link(self.sessions, self.metadata, self.keyring, purpose, token)

    async def start(self) -> None:
        # Before anything connects: a production service with a default key must not serve a request.
        self.settings.refuse_if_insecure()
        await self.publisher.connect()
        if self.settings.declare_topology:
            # With the partner systems' reply queues: registration's replies to them must be routable.
            partners = [partner.name for partner in self.settings.partners]
            queues = topology_with_partners(partners).queues
            await declare_topology(self.publisher.channel, queues, self.settings.delivery_limit)
        self.relay.start()
        for job in self.background:
            job.start()
        await self.broker.start()
        self._started = True
        log.info("service started", extra={"consumers": sorted(self.consumers)})

    async def stop(self) -> None:
        for consumer in self.consumers.values():
            consumer.stopping = True
        # broker.stop() waits (graceful_timeout) for in-flight messages to finish and be acked.
        with contextlib.suppress(Exception):
            await self.broker.stop()
        for job in self.background:
            with contextlib.suppress(Exception):
                await job.stop()
        # One last relay pass so events of the last handled messages leave now, not after restart.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.relay.relay_once(), timeout=5)
        await self.relay.stop()
        await self.publisher.close()
        await self.engine.dispose()
        self._started = False

    async def readiness(self) -> dict[str, bool]:
        checks = {"database": False, "broker": False, "consumers": False, "outbox_relay": self.relay.running}
        with contextlib.suppress(Exception):
            async with self.engine.connect() as connection:
                await asyncio.wait_for(connection.execute(text("SELECT 1")), timeout=2)
                checks["database"] = True
        with contextlib.suppress(Exception):
            checks["broker"] = self.publisher.is_connected and await self.broker.ping(timeout=2)
        checks["consumers"] = self._started and all(s.running for s in self.broker.subscribers)
        return checks

    def http_app(self, *routers: APIRouter, title: str | None = None, **fastapi_options: Any) -> FastAPI:
        configure_logging(self.name, self.settings.log_level, self.settings.log_json)
        configure_tracing(self.name)

        @contextlib.asynccontextmanager
        async def lifespan(_: FastAPI) -> AsyncIterator[None]:
            await self.start()
            try:
                yield
            finally:
                await self.stop()

        app = FastAPI(
            title=title or f"selvhjelp {self.name}",
            version="1.0.0",
            lifespan=lifespan,
            # FastAPI's own OpenTelemetry spans and logs would record each request's path (which carries
            # signed participant links), request bodies and validation errors with their input (health
            # data). TimeAndTraceRequests traces and times every request by its route template instead.
            telemetry=NO_FASTAPI_TELEMETRY,
            # API documentation is for developers; in production the generated docs/ are the reference.
            **(
                {}
                if self.settings.is_development
                else {"docs_url": None, "redoc_url": None, "openapi_url": None}
            ),
            **fastapi_options,
        )
        app.state.service = self
        app.add_exception_handler(RequestValidationError, invalid_request)

        @app.get("/health/live", tags=["health"], summary="The process is alive")
        async def live() -> dict[str, str]:
            return {"status": "ok", "service": self.name}

        @app.get("/health/ready", tags=["health"], summary="Broker, database and consumers are ready")
        async def ready(response: Response) -> dict[str, Any]:
            checks = await self.readiness()
            ok = all(checks.values())
            response.status_code = 200 if ok else 503
            return {"status": "ok" if ok else "unavailable", "service": self.name, "checks": checks}

        if self.settings.is_development:
            # Outside development metrics are served on METRICS_PORT only (shared/cli.py), a port the
            # ingress never routes.
            @app.get("/metrics", tags=["health"], summary="Prometheus metrics", include_in_schema=False)
            async def prometheus() -> Response:
                return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

        # The public event contract that outside systems build against (also in docs/asyncapi/).
        @app.get("/asyncapi.json", tags=["docs"], summary="AsyncAPI document of this service's events")
        async def asyncapi() -> Response:
            return Response(self.asyncapi().to_specification().to_json(), media_type="application/json")

        @app.exception_handler(HTTPException)
        async def http_error(request, error: HTTPException):
            # A 422 raised by hand gets the documented shape of every 422 (a list of field errors).
            detail = error.detail
            if error.status_code == 422 and isinstance(detail, str):
                detail = [{"loc": ["body"], "msg": detail, "type": "value_error"}]
            return JSONResponse({"detail": detail}, status_code=error.status_code, headers=error.headers)

        app.add_middleware(
            SecureWeb,
            trusted_origins=[
                self.settings.registration_url,
                self.settings.grouping_url,
                self.settings.calendar_url,
                self.settings.notifications_url,
            ],
            development=self.settings.is_development,
        )
        app.add_middleware(
            LimitRequestBodies,
            max_bytes=self.settings.http_max_body_bytes,
            max_upload_bytes=self.settings.http_max_upload_bytes,
        )
        app.add_middleware(TimeAndTraceRequests, service=self.name)  # outermost: times the 413s too

        for router in routers:
            app.include_router(router)
        return app
