"""Smoke test: the HTTP tool channel benchmark runs end to end and writes its JSON results."""

from __future__ import annotations

from pathlib import Path

from _bench_kit import run_quick


def test_bench_tools_http_quick(tmp_path: Path) -> None:
    stdout, result = run_quick("bench_tools_http.py", tmp_path, timeout=120)
    assert "HTTP tool channel" in stdout
    assert result["benchmark"] == "tools_http"
    assert {row["path"] for row in result["results"]} == {"tavus_async", "bare_aiohttp"}
    for row in result["results"]:
        assert row["server_us_per_call"] > 0
        assert row["calls_per_s"] > 0
    assert isinstance(result["goal"]["met"], bool)
