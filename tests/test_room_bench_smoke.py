"""benchmarks/bench_event_path.py --quick runs and reports what it promises (no speed asserted)."""

from __future__ import annotations

from pathlib import Path

from _bench_kit import run_quick


def test_event_path_benchmark_quick_run(tmp_path: Path) -> None:
    stdout, data = run_quick("bench_event_path.py", tmp_path, timeout=120)
    assert "baseline" in stdout
    assert data["benchmark"] == "event_path"
    assert set(data["results"]) == {"offered 5000/s", "flat out"}
    for paths in data["results"].values():
        assert set(paths) == {"baseline", "room"}
        for result in paths.values():
            assert result["delivered"] + result["dropped"] == data["events"]
            assert result["p50_us"] <= result["p99_us"] <= result["max_us"]
            assert result["events_per_s"] > 0
