"""pytest fixtures for testing code that talks to Tavus, against a local simulator.

Installed with tavus-async (entry point ``pytest11: tavus_async``), so nothing needs importing:

.. code-block:: python

    import pytest

    @pytest.mark.anyio
    async def test_creates_a_conversation(tavus_client, tavus_simulator):
        conv = await tavus_client.conversations.create(persona_id="pdced222244b")
        assert tavus_simulator.counts["conversations.create"] == 1

The fixtures are async generators, run by the anyio pytest plugin: mark the test (or module)
``@pytest.mark.anyio`` and provide an ``anyio_backend`` fixture returning ``"asyncio"`` (aiohttp
needs asyncio). Configure the simulator per test with a marker, whose keyword arguments go to
:class:`~tavus_async.testing.TavusSimulator`:

.. code-block:: python

    @pytest.mark.tavus_simulator(time="manual", concurrency_limit=1)
    async def test_cap(tavus_simulator): ...

Fixtures:
    ``tavus_simulator``: a running :class:`TavusSimulator` (stopped after the test).
    ``tavus_client``: an ``AsyncTavus`` pointed at it (closed after the test).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

from ._simulator import TavusSimulator

if TYPE_CHECKING:
    from tavus_async import AsyncTavus

__all__ = ["tavus_client", "tavus_simulator"]


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``tavus_simulator`` marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers",
        "tavus_simulator(**options): TavusSimulator options for the tavus_simulator fixture",
    )


@pytest.fixture
async def tavus_simulator(request: pytest.FixtureRequest) -> AsyncIterator[TavusSimulator]:
    """A running Tavus simulator on 127.0.0.1 (needs an anyio-marked test)."""
    options: dict[str, Any] = {}
    marker = request.node.get_closest_marker("tavus_simulator")
    if marker is not None:
        if marker.args:
            raise pytest.UsageError(
                "@pytest.mark.tavus_simulator takes keyword arguments only, e.g. time='manual'"
            )
        options.update(marker.kwargs)
    async with TavusSimulator(**options) as sim:
        yield sim


@pytest.fixture
async def tavus_client(tavus_simulator: TavusSimulator) -> AsyncIterator[AsyncTavus]:
    """An ``AsyncTavus`` client pointed at :func:`tavus_simulator` (needs an anyio-marked test)."""
    client = tavus_simulator.client()
    try:
        yield client
    finally:
        await client.aclose()
