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


def test_echo_pacing_benchmark_quick_run(tmp_path: Path) -> None:
    stdout, data = run_quick("bench_echo_pacing.py", tmp_path, timeout=120)
    assert "serial (baseline)" in stdout
    assert data["benchmark"] == "echo_pacing"
    assert [r["latency_ms"] for r in data["results"]] == [0, 60, 100]
    for row in data["results"]:
        # The same utterance both ways: one message per chunk plus the closing one.
        assert row["messages"] == row["serial_messages"] > 1
        assert row["serial_x_realtime"] > 0
        assert row["pipelined_x_realtime"] > 0
    assert data["goal"]["at_100ms"] == data["results"][2]["pipelined_x_realtime"]
