"""``benchmarks/soak.py --quick`` (10 rooms, 10 s) runs end to end and reports what it promises.

The real soak (100 rooms, 10 minutes) is run by hand or by ``nox -s soak``; its figures are in
RELIABILITY.md. Memory is judged by the script itself (``ok``); no speed is asserted here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _bench_kit import run_quick


@pytest.mark.slow
def test_quick_soak_holds_every_turn_and_samples_memory(tmp_path: Path) -> None:
    stdout, report = run_quick("soak.py", tmp_path, "--quiet", timeout=120)
    assert report["benchmark"] == "soak"
    assert report["rooms"] == 10
    totals = report["totals"]
    # Rooms really talked, churned (left, ended, started again), and nothing was lost.
    assert totals["turns"] > 0
    assert totals["tool_calls"] > 0  # turns where the replica called a tool the room answered
    assert totals["conversations"] > report["rooms"]
    assert totals["lost"] == 0
    assert totals["errors"] == 0
    samples = report["samples"]
    assert len(samples) >= 5
    assert max(s["rooms_open"] for s in samples) == 10
    assert all(s["rss_mb"] > 0 for s in samples)
    assert report["memory"]["flat"] is True
    assert report["ok"] is True
    assert "RSS after warm-up" in stdout
