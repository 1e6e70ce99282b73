"""A small HTTP/1.1 load generator: keep-alive connections on asyncio, one request in flight each.

Not a general client: it speaks just enough HTTP to time requests against our own server on loopback.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import uvloop

RequestFactory = Callable[[], bytes]


@dataclass
class Sample:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    def add(self, other: Sample) -> None:
        self.requests += other.requests
        self.errors += other.errors
        self.seconds += other.seconds
        self.latencies += other.latencies

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(p) - 1]


def request(method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


async def _connection(port: int, make: RequestFactory, deadline: float, sample: Sample) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while (start := time.perf_counter()) < deadline:
            writer.write(make())
            status = await _read_response(reader)
            sample.latencies.append(time.perf_counter() - start)
            sample.requests += 1
            sample.errors += status >= 400
    finally:
        writer.close()


async def _run(port: int, make: RequestFactory, seconds: float, connections: int) -> Sample:
    sample = Sample()
    start = time.perf_counter()
    deadline = start + seconds
    await asyncio.gather(*(_connection(port, make, deadline, sample) for _ in range(connections)))
    sample.seconds = time.perf_counter() - start
    return sample


def load(port: int, make: RequestFactory, seconds: float, connections: int) -> Sample:
    """Send requests from `make()` over `connections` connections for `seconds`; bounded in time."""
    return uvloop.run(_run(port, make, seconds, connections))
