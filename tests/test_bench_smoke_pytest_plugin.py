"""Smoke test: the pytest-plugin overhead benchmark runs end to end and writes its JSON results."""

from __future__ import annotations

from pathlib import Path

import pytest
from _bench_kit import run_quick


@pytest.mark.slow  # six pytest runs in child processes
def test_bench_pytest_plugin_quick(tmp_path: Path) -> None:
    stdout, result = run_quick("bench_pytest_plugin.py", tmp_path, timeout=300)
    assert "-p no:tavus_async" in stdout
    assert "goal: the plugin adds < 50 ms of CPU" in stdout
    assert result["benchmark"] == "pytest_plugin"
    paths = [row["path"] for row in result["results"]]
    assert paths == ["plugin loaded", "-p no:tavus_async", "plugin, fixture used"]
    for row in result["results"]:
        assert row["cpu_s"] > 0
        assert row["wall_s"] > 0
    assert result["results"][1]["overhead_ms"] == 0.0
    assert result["plugin_overhead_ms"] == result["results"][0]["overhead_ms"]
    assert 0 < result["plugin_import_ms"] < 1000
