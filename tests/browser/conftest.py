"""Browser fixtures: the system's real headless Chromium driven by Playwright, and an app served by uvicorn
in-process on a free port. Reusable by every service's page tests (the form, the staff console)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.async_api import Browser, Page, async_playwright

CHROMIUM = "/usr/bin/chromium"  # Debian's package (make setup installs it); no `playwright install`
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1024, "height": 900}, locale="nb-NO")
    context.set_default_timeout(20_000)  # generous: two cores shared with other test runs
    try:
        yield await context.new_page()
    finally:
        await context.close()


@contextlib.asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    """Run an ASGI app (its lifespan included) with uvicorn in this event loop; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="on", timeout_graceful_shutdown=5))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        for _ in range(600):
            if server.started:
                break
            if task.done():
                task.result()  # raises what stopped the server from starting
            await asyncio.sleep(0.05)
        else:
            raise TimeoutError("uvicorn did not start within 30 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@pytest.fixture
def serve() -> Callable[[Any], contextlib.AbstractAsyncContextManager[str]]:
    """`async with serve(app) as base_url:` serves the app for the test."""
    return served


@pytest.fixture
def screenshot() -> Callable[[Page, str], Any]:
    """`await screenshot(page, "name")` saves artifacts/screenshots/name.png (the whole page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    async def take(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        return path

    return take
