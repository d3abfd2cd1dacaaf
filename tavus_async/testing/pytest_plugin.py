"""pytest fixtures for testing code that talks to Tavus, against a local simulator.

Installed with tavus-async (entry point ``pytest11: tavus_async``), so nothing needs importing.
The same fixtures work under every async test runner, with the test marked as that runner wants:

.. code-block:: python

    import pytest

    @pytest.mark.asyncio            # pytest-asyncio, strict mode (its default)
    async def test_creates_a_conversation(tavus_client, tavus_simulator):
        conv = await tavus_client.conversations.create(persona_id="pdced222244b")
        assert tavus_simulator.counts["conversations.create"] == 1

- **pytest-asyncio**, strict mode: ``@pytest.mark.asyncio``; auto mode: no marker. The fixtures
  run in the test's own event loop, whatever its ``loop_scope``.
- **anyio**: ``@pytest.mark.anyio``, with an ``anyio_backend`` fixture returning ``"asyncio"``
  (aiohttp needs asyncio; anyio's default is already ``"asyncio"``).

A test that no runner claims fails with a message saying which marker to add, and so does one
that both claim (``@pytest.mark.anyio`` under pytest-asyncio's auto mode, where the two plugins
would run the fixtures in two different event loops).

Configure the simulator per test with a marker, whose keyword arguments go to
:class:`~tavus_async.testing.TavusSimulator`:

.. code-block:: python

    @pytest.mark.tavus_simulator(time="manual", concurrency_limit=1)
    async def test_cap(tavus_simulator): ...

Fixtures:
    ``tavus_simulator``: a running :class:`~tavus_async.testing.TavusSimulator` (stopped after
    the test).
    ``tavus_client``: an :class:`~tavus_async.AsyncTavus` pointed at it (closed after the test).

This module imports only pytest: every pytest run in an environment with tavus-async installed
loads it, so the simulator (and aiohttp) are imported when a test first asks for a fixture.
"""

from __future__ import annotations

import types
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, Literal

import pytest

if TYPE_CHECKING:
    from tavus_async import AsyncTavus

    from ._simulator import TavusSimulator

__all__ = ["tavus_client", "tavus_simulator"]

_LoopScope = Literal["function", "class", "module", "package", "session"]
#: pytest-asyncio's loop scopes; a fixture must run in the loop of the test that uses it.
_LOOP_SCOPES: tuple[_LoopScope, ...] = ("function", "class", "module", "package", "session")


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``tavus_simulator`` marker, and the fixtures' pytest-asyncio variants."""
    config.addinivalue_line(
        "markers",
        "tavus_simulator(**options): TavusSimulator options for the tavus_simulator fixture",
    )
    if config.pluginmanager.hasplugin("asyncio") and not config.pluginmanager.hasplugin(
        _ASYNCIO_PLUGIN
    ):
        config.pluginmanager.register(_asyncio_fixtures(), _ASYNCIO_PLUGIN)


def _runner(request: pytest.FixtureRequest, fixture: str) -> str:
    """Which async runner will run this test: ``"anyio"`` or ``"asyncio_<loop scope>"``."""
    # pytest-asyncio marks the tests it runs (in auto mode it adds the marker itself).
    marker = request.node.get_closest_marker("asyncio")
    # anyio handles an async fixture exactly when its request involves ``anyio_backend``.
    if "anyio_backend" in request.fixturenames:
        if marker is not None:
            # Both plugins then run async fixtures, each in its own event loop, and the test
            # waits on one loop for the other: a hang. Say so instead.
            pytest.fail(
                f"{request.node.name} is claimed by both pytest-asyncio and anyio (an "
                "@pytest.mark.anyio test under asyncio_mode = auto, or both markers): drop "
                "@pytest.mark.anyio, or set asyncio_mode = strict",
                pytrace=False,
            )
        return "anyio"
    if marker is not None and request.config.pluginmanager.hasplugin(_ASYNCIO_PLUGIN):
        scope = marker.kwargs.get("loop_scope") or marker.kwargs.get("scope")
        scope = scope or request.config.getini("asyncio_default_test_loop_scope") or "function"
        return f"asyncio_{scope}"
    pytest.fail(
        f"the {fixture} fixture needs an async test run by pytest-asyncio or anyio: mark "
        f"{request.node.name} with @pytest.mark.asyncio (pytest-asyncio) or "
        "@pytest.mark.anyio (anyio), or set asyncio_mode = auto",
        pytrace=False,
    )


@pytest.fixture
def tavus_simulator(request: pytest.FixtureRequest) -> TavusSimulator:
    """A running Tavus simulator on 127.0.0.1, stopped after the test.

    Takes its options from ``@pytest.mark.tavus_simulator(**options)``.
    """
    sim: TavusSimulator = request.getfixturevalue(
        f"_tavus_simulator_{_runner(request, 'tavus_simulator')}"
    )
    return sim


@pytest.fixture
def tavus_client(request: pytest.FixtureRequest) -> AsyncTavus:
    """An :class:`~tavus_async.AsyncTavus` pointed at ``tavus_simulator``, closed after the test."""
    client: AsyncTavus = request.getfixturevalue(
        f"_tavus_client_{_runner(request, 'tavus_client')}"
    )
    return client


def _simulator_fixture() -> Callable[[pytest.FixtureRequest], AsyncIterator[TavusSimulator]]:
    """A new async generator function that runs the simulator (one per runner variant)."""

    async def fixture(request: pytest.FixtureRequest) -> AsyncIterator[TavusSimulator]:
        from ._simulator import TavusSimulator

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

    return fixture


def _client_fixture() -> Callable[[TavusSimulator], AsyncIterator[AsyncTavus]]:
    """A new async generator function that opens a client on the simulator."""

    async def fixture(tavus_simulator: TavusSimulator) -> AsyncIterator[AsyncTavus]:
        client = tavus_simulator.client()
        try:
            yield client
        finally:
            await client.aclose()

    return fixture


# anyio runs these itself (plain async generator fixtures in a test that has ``anyio_backend``).
_tavus_simulator_anyio = pytest.fixture(_simulator_fixture(), name="_tavus_simulator_anyio")
_tavus_client_anyio = pytest.fixture(_client_fixture(), name="_tavus_client_anyio")

_ASYNCIO_PLUGIN = "tavus_async.pytest_asyncio_fixtures"


def _asyncio_fixtures() -> object:
    """The fixtures' pytest-asyncio variants, one per loop scope (registered only with it)."""
    import pytest_asyncio

    holder = types.ModuleType(_ASYNCIO_PLUGIN)
    for scope in _LOOP_SCOPES:
        # pytest-asyncio tags the function object itself, so each variant gets its own.
        name = f"_tavus_simulator_asyncio_{scope}"
        setattr(
            holder, name, pytest_asyncio.fixture(_simulator_fixture(), loop_scope=scope, name=name)
        )
        name = f"_tavus_client_asyncio_{scope}"
        setattr(
            holder, name, pytest_asyncio.fixture(_client_fixture(), loop_scope=scope, name=name)
        )
    return holder
