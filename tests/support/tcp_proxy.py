"""A small asyncio TCP proxy that tests put between a service and a server to inject faults:
cut every connection and refuse new ones (an outage), add latency, or stall."""

from __future__ import annotations

import asyncio
import contextlib


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.latency = 0.0
        self._server: asyncio.Server | None = None
        self._up = True
        self._connections: set[asyncio.StreamWriter] = set()
        self._flowing = asyncio.Event()
        self._flowing.set()

    async def start(self) -> TcpProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def cut(self) -> None:
        """Outage: reset every open connection and refuse new ones until restore()."""
        self._up = False
        for writer in list(self._connections):
            with contextlib.suppress(Exception):
                writer.transport.abort()
        self._connections.clear()

    def restore(self) -> None:
        self._up = True

    def stall(self) -> None:
        """Connections stay open but no byte moves (a hung network path) until flow()."""
        self._flowing.clear()

    def flow(self) -> None:
        self._flowing.set()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self._up:
            writer.transport.abort()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._connections.update((writer, upstream_writer))
        await asyncio.gather(
            self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer), return_exceptions=True
        )
        for w in (writer, upstream_writer):
            self._connections.discard(w)
            with contextlib.suppress(Exception):
                w.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while self._up:
            data = await reader.read(65536)
            if not data:
                break
            if self.latency:
                await asyncio.sleep(self.latency)
            await self._flowing.wait()
            writer.write(data)
            await writer.drain()
        with contextlib.suppress(Exception):
            writer.transport.abort() if not self._up else writer.close()
