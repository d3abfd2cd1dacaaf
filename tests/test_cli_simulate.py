"""``tavus-async simulate``: a standalone simulator in its own process, stopped by SIGTERM."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from typing import IO

import httpx
import pytest

DEADLINE = 30.0


def _reader(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _read_until(lines: queue.Queue[str | None], prefix: str, deadline: float) -> str:
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"no line containing {prefix!r} in time")
        line = lines.get(timeout=remaining)
        if line is None:
            raise AssertionError(f"the process exited before printing {prefix!r}")
        if prefix in line:
            return line.split(prefix, 1)[1].strip()


@pytest.mark.parametrize("key_from", ["random", "flag", "env", "env-text"])
def test_simulate_serves_the_api_until_terminated(key_from: str) -> None:
    argv = [sys.executable, "-m", "tavus_async", "simulate", "--port", "0"]
    env = {k: v for k, v in os.environ.items() if k not in ("TAVUS_API_KEY", "TAVUS_BASE_URL")}
    if key_from == "flag":
        argv += ["--api-key", "sim_chosen_key_123456"]
    if key_from.startswith("env"):
        # An exported key keeps working after a restart (--json: one announcement line).
        env["TAVUS_API_KEY"] = "sim_exported_key_123456"
        if key_from == "env":
            argv.append("--json")
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + DEADLINE
        if key_from == "env":
            first = lines.get(timeout=DEADLINE)
            assert first is not None
            announced = json.loads(first)
            base_url = announced["base_url"]
            assert announced["ws_base_url"] == base_url.replace("http://", "ws://")
            # Honoured, never printed: an exported key may be a real Tavus key.
            assert announced == {**announced, "api_key_from": "TAVUS_API_KEY"}
            assert "api_key" not in announced
            key = "sim_exported_key_123456"
        elif key_from == "env-text":
            base_url = _read_until(lines, "TAVUS_BASE_URL=", deadline)
            said = _read_until(lines, "TAVUS_API_KEY", deadline)
            assert "not shown" in said
            assert "sim_exported_key_123456" not in said
            key = "sim_exported_key_123456"
        else:
            base_url = _read_until(lines, "TAVUS_BASE_URL=", deadline)
            key = _read_until(lines, "TAVUS_API_KEY=", deadline)
        assert base_url.startswith("http://127.0.0.1:")
        assert not base_url.endswith(":0")
        if key_from == "flag":
            assert key == "sim_chosen_key_123456"
        ok = httpx.get(f"{base_url}/v2/replicas", headers={"x-api-key": key}, timeout=10)
        assert ok.status_code == 200
        assert ok.json()["data"], "the simulator serves its stock replicas"
        denied = httpx.get(f"{base_url}/v2/replicas", headers={"x-api-key": "wrong"}, timeout=10)
        assert denied.status_code == 401
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=DEADLINE)
            raise
        reader.join(timeout=DEADLINE)
        assert proc.stdout is not None
        assert proc.stderr is not None
        stderr = proc.stderr.read()
        proc.stdout.close()
        proc.stderr.close()
    assert code == 0, stderr
    assert "Traceback" not in stderr


def test_simulate_on_a_busy_port_is_one_line_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    from tavus_async.cli import main

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["simulate", "--port", str(port)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1
    assert f"cannot serve on 127.0.0.1:{port}" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["simulate", "--time", "fast"], "expected real, instant, manual"),
        (["simulate", "--port", "70000"], "expected a port"),
        ([], "required: COMMAND"),
    ],
)
def test_simulate_and_bare_usage_errors(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    from tavus_async.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
