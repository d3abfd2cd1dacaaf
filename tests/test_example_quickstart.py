"""examples/quickstart.py runs as written (against its embedded simulator) and does what it says."""

from __future__ import annotations

import os
import re
import sys

import pytest
from _example_kit import EXAMPLES, example_env, run_example

EXAMPLE = EXAMPLES / "quickstart.py"


def test_quickstart_runs_against_the_simulator() -> None:
    # Without TAVUS_API_KEY the example must never reach for the real API.
    env = example_env(drop=("TAVUS_API_KEY", "TAVUS_BASE_URL"))
    proc = run_example(EXAMPLE, env=env, timeout=90)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    pairs = (line.split(":", 1) for line in proc.stdout.splitlines()[1:])
    out = {key.strip(): value.strip() for key, value in pairs}
    assert proc.stdout.splitlines()[0] == "Using the embedded Tavus simulator"
    created = re.fullmatch(r"(\S+) \(Quickstart Guide\)", out["created"])
    assert created is not None
    persona_id = created.group(1)
    assert out["listed"] == f"{persona_id} found by walking every page: True"
    assert out["patched"] == "changed=True -> 'Answer in one sentence.'"
    conversation_id, status = out["conversation"].split()
    assert status == "active"
    assert out["join it at"].endswith(f"/rooms/{conversation_id}")
    assert out["ended"] == f"{conversation_id} ended"
    assert out["deleted"] == persona_id


@pytest.mark.anyio
async def test_quickstart_with_a_key_uses_that_api_in_test_mode() -> None:
    # TAVUS_API_KEY switches the example to "the Tavus API"; a simulator stands in for it here.
    import anyio

    from tavus_async.testing import TavusSimulator

    async with TavusSimulator() as sim:
        env = {**os.environ, "TAVUS_API_KEY": sim.api_key, "TAVUS_BASE_URL": sim.base_url}
        with anyio.fail_after(90):
            proc = await anyio.run_process([sys.executable, str(EXAMPLE)], env=env, check=False)
        async with sim.client() as tavus:
            conversations = [c async for c in tavus.conversations.list()]
            personas = [p.persona_name async for p in tavus.personas.list()]
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr.decode()
    assert out.splitlines()[0] == "Using the Tavus API"
    # test_mode: the conversation is created already ended (it never goes live, nothing is
    # billed), and nothing is left behind.
    created = next(line for line in out.splitlines() if line.startswith("conversation:"))
    assert created.split()[-1] == "ended"
    assert len(conversations) == 1
    assert conversations[0].status == "ended"
    assert "Quickstart Guide" not in personas
    assert sim.api_key not in out
