"""Helper for the benchmark smoke tests: run a script in benchmarks/ at tiny sizes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def run_quick(
    script: str, tmp_path: Path, *extra: str, timeout: float = 180
) -> tuple[str, dict[str, Any]]:
    """Run ``benchmarks/<script> --quick --json ...``; return its stdout and its JSON results.

    Fails the test (showing the end of the script's output) if the script exits non-zero.
    """
    out = tmp_path / f"{script}.json"
    proc = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick", "--json", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    result: dict[str, Any] = json.loads(out.read_text())
    return proc.stdout, result
