"""``replicas wait``, ``videos wait``, ``documents wait``: progress lines, the result, failures."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import AsyncIterator

import anyio
import pytest
from _cli_kit import COMMAND_DEADLINE, STOCK_REPLICA, Result

from tavus_async.cli import main
from tavus_async.testing import TavusSimulator

pytestmark = pytest.mark.anyio

_LINE = re.compile(r"^(replica|video|document) (\S+): (\w+)(?: (\d+)%)?$")


@pytest.fixture
async def sim(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TavusSimulator]:
    monkeypatch.delenv("TAVUS_API_KEY", raising=False)
    # 600 simulated seconds of training pass in about half a second.
    async with TavusSimulator(time=1200.0) as simulator:
        yield simulator


async def run(sim: TavusSimulator, capsys: pytest.CaptureFixture[str], *argv: str) -> Result:
    capsys.readouterr()
    base = ["--api-key", sim.api_key, "--base-url", sim.base_url]
    with anyio.fail_after(COMMAND_DEADLINE):
        code = await anyio.to_thread.run_sync(main, [*argv, *base])
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def progress_lines(err: str, resource_id: str) -> list[tuple[str, float | None]]:
    rows = []
    for line in err.splitlines():
        match = _LINE.match(line)
        assert match, f"not a progress line: {line!r}"
        assert match.group(2) == resource_id
        rows.append((match.group(3), float(match.group(4)) if match.group(4) else None))
    return rows


async def _step_training(sim: TavusSimulator, polls_before: int) -> None:
    """Advance training halfway each time the waiter has polled once more (deterministic)."""
    key = "GET /v2/replicas/{replica_id}"
    for step in (1, 2):
        while sim.received[key] < polls_before + step:  # noqa: ASYNC110 (watching a counter)
            await anyio.sleep(0.01)
        await sim.advance(300)  # half of the 600 simulated seconds of training


async def test_replicas_wait_shows_progress_then_the_replica(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TAVUS_API_KEY", raising=False)
    async with TavusSimulator(time="manual") as sim:
        async with sim.client() as tavus:
            replica = await tavus.replicas.create(train_video_url="https://example.com/t.mp4")
        async with anyio.create_task_group() as tg:
            tg.start_soon(_step_training, sim, 0)
            result = await run(
                sim, capsys, "--json", "replicas", "wait", replica.replica_id, "--interval", "0.02"
            )
    assert result.code == 0, result.err
    final = json.loads(result.out)
    assert final["replica_id"] == replica.replica_id
    assert final["status"] == "completed"
    rows = progress_lines(result.err, replica.replica_id)
    assert rows == [("started", 0.0), ("started", 50.0), ("completed", 100.0)]
    assert sim.api_key not in result.out + result.err


async def test_videos_and_documents_wait(
    sim: TavusSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    async with sim.client() as tavus:
        video = await tavus.videos.create(replica_id=STOCK_REPLICA, script="Hello there")
        document = await tavus.documents.create(document_url="https://example.com/a.pdf")
    result = await run(
        sim, capsys, "--json", "videos", "wait", video.video_id, "--interval", "0.02"
    )
    assert result.code == 0, result.err
    assert json.loads(result.out)["status"] == "ready"
    assert progress_lines(result.err, video.video_id)[-1] == ("ready", 100.0)

    result = await run(sim, capsys, "documents", "wait", document.document_id, "--interval", "0.02")
    assert result.code == 0, result.err
    fields = dict(line.split(None, 1) for line in result.out.splitlines() if " " in line)
    assert fields["status"] == "ready"
    assert progress_lines(result.err, document.document_id)[-1] == ("ready", 100.0)


async def test_failed_training_is_one_line_with_tavus_reason(
    sim: TavusSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    sim.fail_next_training("download_link")
    async with sim.client() as tavus:
        replica = await tavus.replicas.create(train_video_url="https://example.com/bad.mp4")
    result = await run(sim, capsys, "replicas", "wait", replica.replica_id, "--interval", "0.02")
    assert result.code == 1
    assert result.out == ""
    error = result.err.splitlines()[-1]
    assert error.startswith("tavus-async: error:")
    assert replica.replica_id in error
    assert "downloading your video file" in error


async def test_wait_timeout_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    async with TavusSimulator(time="manual") as still:  # time stands still: never ready
        async with still.client() as tavus:
            replica = await tavus.replicas.create(train_video_url="https://example.com/t.mp4")
        result = await run(
            still,
            capsys,
            "replicas",
            "wait",
            replica.replica_id,
            "--timeout",
            "0.3",
            "--interval",
            "0.05",
        )
    assert result.code == 1
    error = result.err.splitlines()[-1]
    assert error.startswith("tavus-async: error:")
    assert "after 0.3s" in error
    assert "raise --timeout to wait longer" in error  # the flag, not the SDK's timeout=
    assert "timeout=" not in error


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
async def test_on_a_terminal_progress_is_one_redrawn_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAVUS_API_KEY", raising=False)
    async with TavusSimulator(time="manual") as sim:
        await _bar_on_a_terminal(sim)


async def _bar_on_a_terminal(sim: TavusSimulator) -> None:
    import os
    import pty
    import subprocess

    async with sim.client() as tavus:
        replica = await tavus.replicas.create(train_video_url="https://example.com/train.mp4")
    primary, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("TAVUS_API_KEY", "TAVUS_BASE_URL")}
    argv = [
        sys.executable,
        "-m",
        "tavus_async",
        "replicas",
        "wait",
        replica.replica_id,
        "--interval",
        "0.02",
        "--api-key",
        sim.api_key,
        "--base-url",
        sim.base_url,
    ]
    try:
        with anyio.fail_after(COMMAND_DEADLINE):
            async with await anyio.open_process(
                argv, stdout=subprocess.PIPE, stderr=secondary, env=env
            ) as proc:
                os.close(secondary)
                secondary = -1
                assert proc.stdout is not None
                async with anyio.create_task_group() as tg:
                    tg.start_soon(_step_training, sim, 0)
                    stdout = b"".join([chunk async for chunk in proc.stdout])
                await proc.wait()
            terminal = b""
            while True:
                try:
                    chunk = await anyio.to_thread.run_sync(os.read, primary, 4096)
                except OSError:  # the pty reports EIO once the child's side is closed
                    break
                if not chunk:
                    break
                terminal += chunk
    finally:
        os.close(primary)
        if secondary != -1:
            os.close(secondary)
    assert proc.returncode == 0, terminal
    text = terminal.decode()
    assert text.count("\n") == 1  # one bar, redrawn in place, ended once
    redraws = [part for part in text.split("\r") if part.strip()]
    assert redraws[-1].startswith(
        f"replica {replica.replica_id} [" + "#" * 30 + "] 100.0% completed"
    )
    assert len(redraws) >= 2
    assert b"status               completed" in stdout
