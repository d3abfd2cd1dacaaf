"""examples/live_bot.py holds a whole conversation with the simulator and leaves nothing behind."""

from __future__ import annotations

import asyncio
import threading
from types import ModuleType

import pytest
from _example_kit import EXAMPLES, example_env, load_example, run_example

EXAMPLE = EXAMPLES / "live_bot.py"


def _load() -> ModuleType:
    return load_example(EXAMPLE, "live_bot_example")


@pytest.mark.anyio
async def test_the_live_bot_holds_a_full_conversation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAVUS_API_KEY", raising=False)
    bot = _load()
    threads_before = {t.ident for t in threading.enumerate()}
    tasks_before = set(asyncio.all_tasks())
    lines: list[str] = []
    summary = await bot.run(lines.append)

    assert summary["tool_calls"] == ["Lisbon"]
    assert summary["replica_said"][0] == "Hello! How can I help?"
    assert summary["replica_said"][1] == "Hi! I'm a bot written with tavus-async."
    assert '"forecast": "sunny"' in summary["replica_said"][2]
    assert summary["audio_chunks"] >= 9
    assert summary["interrupted_completed"] is False
    assert [role for role, _ in summary["transcript"]] == ["replica", "replica", "user", "replica"]
    assert summary["stats"].tool_calls == 1
    assert summary["stats"].foreign == 0
    assert any("conversation was ended" in line for line in lines)

    # Nothing outlives the bot: no task, no thread (aiohttp sessions are checked by
    # filterwarnings=error, which turns an unclosed-session warning into a failure).
    await asyncio.sleep(0)
    assert [t for t in set(asyncio.all_tasks()) - tasks_before if not t.done()] == []
    assert {t.ident for t in threading.enumerate()} - threads_before == set()


def test_the_live_bot_runs_as_a_script() -> None:
    proc = run_example(EXAMPLE, env=example_env(drop="TAVUS_API_KEY"), timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "tool call get_weather" in proc.stdout
    assert "left the room" in proc.stdout
