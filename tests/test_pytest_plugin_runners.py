"""The pytest plugin's fixtures work unchanged under pytest-asyncio (strict, auto) and anyio.

Each case writes a small user project to ``tmp_path`` (its own ``pytest.ini``, no conftest) and
runs pytest on it in a subprocess, as a project outside this repository would, with the plugin
loaded from its entry point.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

# What a user writes: the REST client, a simulator option from the marker, a class-scoped loop,
# and a room whose reply is awaited. ``MARK`` is the runner's marker (empty in auto mode).
_USER_TESTS = """
import pytest
from tavus_async import Utterance

MARK = {mark}


@MARK
async def test_rest(tavus_client, tavus_simulator):
    page = await tavus_client.replicas.list()
    assert page.data
    assert tavus_simulator.counts["replicas.list"] == 1


@MARK
@pytest.mark.tavus_simulator(time="manual")
async def test_marker_options(tavus_simulator):
    before = tavus_simulator.clock.now()
    await tavus_simulator.advance(5)
    assert tavus_simulator.clock.now() - before == 5


@MARK
async def test_room_reply(tavus_client):
    conv = await tavus_client.conversations.create(persona_id="pdced222244b")
    async with tavus_client.conversations.connect(conv, end_conversation=True) as room:
        await room.respond("What can you do?")
        reply = await room.wait_for(Utterance, where=lambda u: u.role == "replica", timeout=10)
        assert reply.speech


def test_sync_test_gets_a_clear_error(tavus_simulator):
    pass
"""

_CASES = {
    # name: (marker, pytest.ini lines, extra pytest arguments)
    "pytest-asyncio-strict": ("pytest.mark.asyncio", ["asyncio_mode = strict"], []),
    "pytest-asyncio-auto": ("lambda f: f", ["asyncio_mode = auto"], []),
    "pytest-asyncio-module-loop": (
        'pytest.mark.asyncio(loop_scope="module")',
        ["asyncio_mode = strict", "asyncio_default_test_loop_scope = function"],
        [],
    ),
    # anyio alone: pytest-asyncio disabled, as in a project that never installed it.
    "anyio": ("pytest.mark.anyio", [], ["-p", "no:asyncio"]),
}


def _run_user_project(
    tmp_path: Path, mark: str, ini: list[str], extra: list[str]
) -> subprocess.CompletedProcess[str]:
    if "no:asyncio" not in extra:
        ini = [*ini, "asyncio_default_fixture_loop_scope = function"]
    (tmp_path / "test_user.py").write_text(_USER_TESTS.format(mark=mark))
    lines = [
        "[pytest]",
        *ini,
        # Unclosed sessions and never-awaited coroutines must not pass quietly.
        "filterwarnings = error",
        "timeout = 60",
    ]
    (tmp_path / "pytest.ini").write_text("\n".join(lines) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "TAVUS_"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", *extra],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


@pytest.mark.parametrize("case", list(_CASES))
def test_fixtures_work_under_every_runner(tmp_path: Path, case: str) -> None:
    proc = _run_user_project(tmp_path, *_CASES[case])
    out = proc.stdout + proc.stderr
    summary = out.strip().splitlines()[-1]
    # Three async tests pass; the sync one errors at setup with what to do.
    assert re.search(r"\b3 passed\b", summary), out[-4000:]
    assert re.search(r"\b1 error\b", summary), out[-4000:]
    assert "failed" not in summary, out[-4000:]
    assert "the tavus_simulator fixture needs an async test run by pytest-asyncio or anyio" in out
    assert "@pytest.mark.asyncio (pytest-asyncio) or @pytest.mark.anyio (anyio)" in out


def test_an_anyio_test_under_asyncio_auto_mode_fails_fast_instead_of_hanging(
    tmp_path: Path,
) -> None:
    # Both plugins would run the fixtures, each in its own loop: it used to hang until killed.
    proc = _run_user_project(tmp_path, "pytest.mark.anyio", ["asyncio_mode = auto"], [])
    out = proc.stdout + proc.stderr
    assert re.search(r"\b4 errors\b", out.strip().splitlines()[-1]), out[-4000:]
    assert "is claimed by both pytest-asyncio and anyio" in out
    assert "drop @pytest.mark.anyio, or set asyncio_mode = strict" in out
    assert "Timeout" not in out


def test_the_plugin_imports_nothing_heavy() -> None:
    # Loading the plugin (what every pytest run does) must not import aiohttp or the SDK's core;
    # the simulator is imported when a test first asks for a fixture.
    code = (
        "import sys, tavus_async.testing.pytest_plugin\n"
        "heavy = [m for m in ('aiohttp', 'msgspec', 'tavus_async._client',"
        " 'tavus_async.testing._simulator') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert proc.stdout.strip() == "[]", proc.stdout + proc.stderr
