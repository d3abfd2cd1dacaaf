"""``tavus-async demo``: the whole SDK on an embedded simulator, finishing in seconds."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tavus_async.cli import main

DEADLINE = 90.0
_TRANSCRIPT_LINE = re.compile(r"^\s*(\d+) ms  (\w+)\s+(.*)$")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TAVUS_API_KEY", "TAVUS_BASE_URL")}
    env.update(extra)
    return env


def _run(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tavus_async", "demo", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=DEADLINE,
        check=False,
    )


def _transcript(stdout: str) -> list[tuple[int, str, str]]:
    lines = stdout.splitlines()
    start = lines.index("Transcript") + 1
    rows = []
    for line in lines[start:]:
        if not line.strip():
            break
        match = _TRANSCRIPT_LINE.match(line)
        assert match, line
        rows.append((int(match.group(1)), match.group(2), match.group(3)))
    return rows


def test_demo_walks_through_the_sdk_and_prints_a_timed_transcript() -> None:
    proc = _run(env=_env())
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    out = proc.stdout
    # Every step of the tour shows on the timeline.
    for step in (
        "pals.create",
        "conversations.create",
        "▸ respond",
        "◂ tool call",
        "▸ tool result",
        "▸ echo",
        "▸ interrupt",
        "conversations.end",
        "◂ room",
    ):
        assert step in out, step
    rows = _transcript(out)
    assert [(role, text) for _, role, text in rows[:-1]] == [
        ("replica", "Hi! Ask me about the weather."),
        ("user", "What's the weather like in Paris today?"),
        ("replica", "It is sunny and 21 degrees in Paris."),  # the tool's result, spoken
        ("replica", "This sentence is spoken word for word: that is echo mode."),
        ("user", "Tell me a long story about the sea."),
    ]
    role, text = rows[-1][1], rows[-1][2]
    assert role == "replica"
    assert text.endswith("…(interrupted)")  # cut short: only the first words were spoken
    assert len(text) < 60
    times = [ms for ms, _, _ in rows]
    assert times == sorted(times)
    assert "against the embedded simulator" in out.splitlines()[-1]


def test_with_a_key_set_the_demo_says_it_needs_real_and_keeps_the_key_secret() -> None:
    key = "sk_live_looking_key_0123456789"
    proc = _run(env=_env(TAVUS_API_KEY=key))
    assert proc.returncode == 0, proc.stderr
    assert "--real" in proc.stdout.splitlines()[0]
    assert "embedded simulator" in proc.stdout.splitlines()[0]
    assert key not in proc.stdout + proc.stderr


def test_demo_json_summary(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TAVUS_API_KEY", raising=False)
    assert main(["demo", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["simulator"] is True
    assert summary["events"] > 10
    roles = [turn["role"] for turn in summary["transcript"]]
    assert roles == ["replica", "user", "replica", "replica", "user", "replica"]
    assert [t["interrupted"] for t in summary["transcript"]] == [False] * 5 + [True]
    assert all(isinstance(t["ms"], int) for t in summary["transcript"])


def test_real_without_a_key_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TAVUS_API_KEY", raising=False)
    assert main(["demo", "--real"]) == 2
    assert "TAVUS_API_KEY" in capsys.readouterr().err


def test_demo_is_bounded_by_its_timeout(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TAVUS_API_KEY", raising=False)
    assert main(["demo", "--timeout", "0.05"]) == 1
    err = capsys.readouterr().err
    assert "did not finish within 0.05s" in err
    assert err.count("\n") == 1


@pytest.mark.anyio
async def test_real_mode_runs_against_any_tavus_api_and_copes_with_no_tool_call(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # --real takes the same path as against Tavus: no scripted replica, so the (simulated)
    # LLM answers without the tool, and the demo has to say so and carry on.
    import anyio

    from tavus_async.testing import TavusSimulator

    monkeypatch.delenv("TAVUS_API_KEY", raising=False)
    async with TavusSimulator(time=12.0) as sim:
        base_url = sim.base_url
        argv = ["demo", "--real", "--api-key", sim.api_key, "--base-url", base_url]
        with anyio.fail_after(DEADLINE):
            code = await anyio.to_thread.run_sync(main, argv)
        async with sim.client() as tavus:
            pals = [p.pal_name async for p in tavus.pals.list()]
            conversations = [c.status async for c in tavus.conversations.list()]
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"using the Tavus API at {base_url}" in out
    assert "the LLM answered without calling get_weather" in out
    assert "against the Tavus API" in out.splitlines()[-1]
    assert sim.api_key not in out
    # It cleans up after itself: the conversation ended, the demo PAL deleted.
    assert conversations == ["ended"]
    assert "Weather Guide (tavus-async demo)" not in pals
