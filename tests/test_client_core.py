"""The request core: a frozen configuration, no import circle, one session per event loop."""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import gc
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from tavus_async import AsyncTavus
from tavus_async._http import HTTPConfig
from tavus_async.testing import TavusSimulator

ROOT = Path(__file__).resolve().parent.parent / "tavus_async"


def _imported_modules(path: Path) -> set[str]:
    """The tavus_async modules ``path`` imports, TYPE_CHECKING blocks included."""
    package = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            name = ".".join([*base, node.module] if node.module else base)
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_request_core_and_resources_never_import_the_client() -> None:
    modules = [ROOT / "_http.py", ROOT / "_pagination.py", ROOT / "_retry.py"]
    modules += sorted((ROOT / "resources").glob("*.py"))
    for path in modules:
        imported = _imported_modules(path)
        assert "tavus_async._client" not in imported, path
        assert "tavus_async._catalog" not in imported or path.parent.name == "resources", path


def test_http_core_never_imports_resources_or_the_catalog() -> None:
    imported = _imported_modules(ROOT / "_http.py")
    assert not {m for m in imported if m.startswith(("tavus_async.resources", "tavus_async._c"))}


def test_with_options_copies_a_frozen_configuration() -> None:
    tavus = AsyncTavus(api_key="tk_test_core_0123456789", default_headers={"X-Team": "a"})
    config = tavus._http.config
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.timeout = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.default_headers["X-Team"] = "b"  # type: ignore[index]
    patient = tavus.with_options(timeout=120, max_retries=5, retry_max_delay=2)
    new = patient._http.config
    assert isinstance(new, HTTPConfig)
    assert (new.timeout, new.retry.max_retries, new.retry.max_delay) == (120.0, 5, 2.0)
    assert (config.timeout, config.retry.max_retries) == (60.0, 2)  # the original is unchanged
    assert new.sessions is config.sessions  # one session for both
    assert new.api_key == config.api_key
    assert new.default_headers == {"X-Team": "a"}
    assert "tk_test_core" not in repr(config)
    assert patient.personas._http is patient._http


@pytest.fixture
def sim_in_thread() -> Iterator[TavusSimulator]:
    """A simulator serving from its own thread and loop, so tests can run several loops."""
    ready = threading.Event()
    box: dict[str, object] = {}

    async def main() -> None:
        stop = asyncio.Event()
        box["loop"], box["stop"] = asyncio.get_running_loop(), stop
        async with TavusSimulator() as sim:
            box["sim"] = sim
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(10), "the simulator did not start"
    sim = box["sim"]
    assert isinstance(sim, TavusSimulator)
    try:
        yield sim
    finally:
        loop, stop = box["loop"], box["stop"]
        assert isinstance(loop, asyncio.AbstractEventLoop)
        assert isinstance(stop, asyncio.Event)
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        assert not thread.is_alive()


def test_a_client_used_in_two_event_loops_opens_a_session_in_each(
    sim_in_thread: TavusSimulator,
) -> None:
    # Issue 16 point 10: the second asyncio.run() used to fail with "Event loop is closed" and
    # leave an unclosed session behind.
    tavus = AsyncTavus(api_key=sim_in_thread.api_key, base_url=sim_in_thread.base_url)
    sessions = []

    async def call() -> int:
        page = await tavus.voices.list(limit=2)
        sessions.append(tavus._config.sessions.session)
        return len(page.data)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert asyncio.run(call()) == 2
        assert asyncio.run(call()) == 2
        first, second = sessions
        assert first is not second
        assert first is not None
        assert first.closed  # closed when its loop ended, while it still could be
        asyncio.run(tavus.aclose())
        assert second is not None
        assert second.closed
        gc.collect()
    assert sim_in_thread.counts["voices.list"] == 2
    with pytest.raises(RuntimeError, match="was closed"):
        asyncio.run(call())


def test_an_injected_session_is_never_replaced_or_closed(sim_in_thread: TavusSimulator) -> None:
    import aiohttp

    async def main() -> None:
        async with aiohttp.ClientSession() as session:
            tavus = AsyncTavus(
                api_key=sim_in_thread.api_key, base_url=sim_in_thread.base_url, session=session
            )
            await tavus.voices.list()
            assert tavus._config.sessions.session is session
            await tavus.aclose()
            assert not session.closed

    asyncio.run(main())
