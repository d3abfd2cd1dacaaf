"""benchmarks/bench_event_path.py --quick runs and reports what it promises (no speed asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_event_path.py"


def test_event_path_benchmark_quick_run(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "baseline" in proc.stdout
    data = json.loads(out.read_text())
    assert data["benchmark"] == "event_path"
    assert set(data["results"]) == {"offered 5000/s", "flat out"}
    for paths in data["results"].values():
        assert set(paths) == {"baseline", "room"}
        for result in paths.values():
            assert result["delivered"] + result["dropped"] == data["events"]
            assert result["p50_us"] <= result["p99_us"] <= result["max_us"]
            assert result["events_per_s"] > 0
