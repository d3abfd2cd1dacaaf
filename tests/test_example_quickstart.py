"""examples/quickstart.py runs as written (against its embedded simulator) and does what it says."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "quickstart.py"


def test_quickstart_runs_against_the_simulator() -> None:
    # Without TAVUS_API_KEY the example must never reach for the real API.
    env = {k: v for k, v in os.environ.items() if k not in ("TAVUS_API_KEY", "TAVUS_BASE_URL")}
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE)],
        capture_output=True,
        text=True,
        env=env,
        timeout=90,
        check=False,
    )
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
