"""FastAPI dependencies for the service a request is served by: `service: ServiceDep` in a route gives the
`Service` that built the app (`Service.http_app` puts it on `app.state`, the only thing put there).

A service whose routes need its own attributes (rules, config, workers) declares its typed alias once,
next to its `Service` subclass in its app.py: `GroupingServiceDep = Annotated[GroupingService,
Depends(service_dependency)]`. The transaction of a route is `Transaction` (shared/unit_of_work.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request

if TYPE_CHECKING:
    from shared.service import Service


def current_service(request: Request) -> Any:
    """The one way to reach the service from a request (typed `Any` so each service's alias can name
    its subclass)."""
    return request.app.state.service


async def service_dependency(request: Request) -> Any:
    """`current_service` as a dependency. Async on purpose: FastAPI runs a plain `def` dependency in its
    thread pool, a thread hop per request that cost the registration intake about a third more CPU
    per request for a single attribute lookup."""
    return current_service(request)


ServiceDep = Annotated["Service", Depends(service_dependency)]
