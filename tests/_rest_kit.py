"""The REST client tests' view of the simulator: its journal, its faults and its records.

Not a second fake: every request goes to a real :class:`~tavus_async.testing.TavusSimulator` on
127.0.0.1. :class:`App` reads what it received (``app.last``, ``app.calls(...)``), scripts odd
answers with its faults (``app.script(...)``) and shows its records (``app.personas``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from tavus_async import AsyncTavus
from tavus_async.testing import RecordedRequest, TavusSimulator
from tavus_async.testing._store import Record

API_KEY = "tk_test_0123456789abcdef"
#: A completed stock replica of the simulator (docs.tavus.io's own example id).
REPLICA = "rfe12d8b9597"


@dataclass
class Scripted:
    """One odd answer, turned into a simulator fault.

    Attributes:
        status: Answer with this status without running the endpoint (200 when only a body
            is given; None with only ``delay`` serves normally after the delay).
        body: A JSON body.
        raw: A raw body, sent as is.
        headers: Extra response headers.
        delay: Real seconds to wait first (to provoke client timeouts).
        drop: Close the connection without answering.
    """

    status: int | None = None
    body: Any = None
    raw: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False


class App:
    """A simulator as the REST tests look at it."""

    def __init__(self, sim: TavusSimulator) -> None:
        self.sim = sim

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every API request received, oldest first."""
        return list(self.sim.requests)

    @property
    def last(self) -> RecordedRequest:
        """The latest API request."""
        return self.sim.requests.last

    def calls(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        """The requests with this method and/or exact path."""
        return self.sim.requests.calls(method, path)

    def script(self, method: str, path: str, *answers: Scripted) -> None:
        """Answer the next requests to ``method path`` with ``answers``, in order (faults)."""
        for answer in answers:
            status = answer.status
            if status is None and (answer.body is not None or answer.raw is not None):
                status = 200
            self.sim.faults.add(
                f"{method.upper()} {path}",
                status=status,
                body=answer.body,
                raw=answer.raw,
                headers=dict(answer.headers) or None,
                latency=answer.delay,
                drop="before" if answer.drop else None,
            )

    def __getattr__(self, name: str) -> dict[str, Record]:
        # app.personas, app.conversations...: the simulator's records of that resource.
        return self.sim.store.table(name)


@asynccontextmanager
async def serve(sim: TavusSimulator | None = None) -> AsyncIterator[tuple[App, str]]:
    """Start ``sim`` (a default simulator keyed with :data:`API_KEY`); yield it and its URL."""
    async with sim or TavusSimulator(api_key=API_KEY) as running:
        yield App(running), running.base_url


@asynccontextmanager
async def client_for(
    sim: TavusSimulator | None = None, **options: Any
) -> AsyncIterator[tuple[App, AsyncTavus]]:
    """Serve a simulator and yield it with an ``AsyncTavus`` pointed at it (small retry delays)."""
    options.setdefault("retry_initial_delay", 0.01)
    options.setdefault("retry_max_delay", 0.05)
    options.setdefault("api_key", API_KEY)
    async with serve(sim) as (app, base_url), AsyncTavus(base_url=base_url, **options) as tavus:
        yield app, tavus
