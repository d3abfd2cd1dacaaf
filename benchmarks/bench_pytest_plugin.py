"""What the installed pytest plugin adds to every pytest run: the plugin on, against it off.

pytest loads every ``pytest11`` entry point of the environment, so a project that merely has
tavus-async installed pays for the plugin's import on each run, whether or not a test uses its
fixtures. This times a one-test project (a sync test that uses no fixture), run by
``python -m pytest`` in a child process:

- ``plugin loaded``: as installed (the SDK path);
- ``-p no:tavus_async``: the same run with the plugin disabled (the baseline);
- ``plugin, fixture used``: one test using ``tavus_simulator`` (pytest-asyncio strict), where
  the simulator's import is paid: for scale, not part of the goal.

Goal: the plugin adds under 50 ms. The figure judged is the child's CPU time (user + system),
median of interleaved runs: importing is CPU work, and on a shared machine CPU time is far less
disturbed by the neighbours than wall time (also shown).

    python benchmarks/bench_pytest_plugin.py [--quick] [--json PATH] [--repeat R]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import finish, machine, median, parser, print_table, spread, verdict

GOAL_MS = 50.0

_PLAIN_TEST = "def test_nothing():\n    assert True\n"
_FIXTURE_TEST = (
    "import pytest\n\n"
    "@pytest.mark.asyncio\n"
    "async def test_sim(tavus_simulator):\n"
    "    assert tavus_simulator.base_url\n"
)


def _project(root: Path, name: str, test: str) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "test_one.py").write_text(test)
    (folder / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = strict\nasyncio_default_fixture_loop_scope = function\n"
    )
    return folder


def _runner(folder: Path, *args: str) -> Callable[[], tuple[float, float]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "TAVUS_"))}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]

    def run() -> tuple[float, float]:
        before = os.times()
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=folder, env=env, capture_output=True, text=True, timeout=120)
        wall = time.perf_counter() - t0
        after = os.times()
        if proc.returncode != 0:
            raise RuntimeError(f"pytest failed in {folder}:\n{proc.stdout}{proc.stderr}")
        cpu = (after.children_user - before.children_user) + (
            after.children_system - before.children_system
        )
        return wall, cpu

    return run


def plugin_import_ms(repeat: int) -> float:
    """Median cumulative import time of the plugin module (``-X importtime``, microseconds
    resolution), pytest already imported: what loading the plugin costs, alone."""
    code = "import pytest, tavus_async.testing.pytest_plugin"
    took = []
    for _ in range(repeat):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        # Lines read "import time: self | cumulative | name"; the plugin's cumulative figure
        # includes its parent packages (tavus_async, tavus_async.testing), imported for it.
        total = next(
            int(line.split("|")[1])
            for line in proc.stderr.splitlines()
            if line.split("|")[-1].strip() == "tavus_async.testing.pytest_plugin"
        )
        took.append(total / 1000)
    return median(took)


def measure(repeat: int) -> dict[str, Any]:
    """Run the three paths ``repeat`` times each, interleaved; return the results."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        plain = _project(root, "plain", _PLAIN_TEST)
        fixture = _project(root, "fixture", _FIXTURE_TEST)
        paths = {
            "plugin loaded": _runner(plain),
            "-p no:tavus_async": _runner(plain, "-p", "no:tavus_async"),
            "plugin, fixture used": _runner(fixture),
        }
        for run in paths.values():
            run()  # warm the OS file cache and the .pyc files: every path starts equal
        # Round-robin, as _common.interleaved does, for (wall, CPU) pairs.
        times: list[list[tuple[float, float]]] = [[] for _ in paths]
        for _ in range(repeat):
            for i, run in enumerate(paths.values()):
                times[i].append(run())
    walls = [[w for w, _ in t] for t in times]
    cpus = [[c for _, c in t] for t in times]
    base_cpu, base_wall = median(cpus[1]), median(walls[1])
    rows: list[dict[str, Any]] = [
        {
            "path": name,
            "cpu_s": median(cpu),
            "cpu_spread": spread(cpu),
            "overhead_ms": (median(cpu) - base_cpu) * 1000,
            "vs_baseline": median(cpu) / base_cpu,
            "wall_s": median(wall),
            "wall_overhead_ms": (median(wall) - base_wall) * 1000,
        }
        for name, wall, cpu in zip(paths, walls, cpus, strict=True)
    ]
    overhead = float(rows[0]["overhead_ms"])
    import_ms = plugin_import_ms(repeat)
    return {
        "benchmark": "pytest_plugin",
        "machine": machine("pytest", "pytest-asyncio", "anyio"),
        "repeat": repeat,
        "results": rows,
        "plugin_overhead_ms": overhead,
        "plugin_import_ms": import_ms,
        "goal_ms": GOAL_MS,
        "goal_met": overhead < GOAL_MS,
    }


def show(result: dict[str, Any]) -> None:
    """Print the table and the goal line."""
    print_table(
        f"pytest run of a one-test project, median of {result['repeat']} interleaved runs",
        [
            ("path", "path", ""),
            ("cpu_s", "CPU s", ".3f"),
            ("cpu_spread", "spread", ".2f"),
            ("overhead_ms", "CPU vs no plugin, ms", "+.1f"),
            ("vs_baseline", "ratio", ".2f"),
            ("wall_s", "wall s", ".3f"),
            ("wall_overhead_ms", "wall vs no plugin, ms", "+.1f"),
        ],
        result["results"],
        f"goal: the plugin adds < {result['goal_ms']:g} ms of CPU: "
        f"{result['plugin_overhead_ms']:+.1f} ms, {verdict(result['goal_met'])}",
        f"the plugin's own import (-X importtime, pytest already loaded): "
        f"{result['plugin_import_ms']:.1f} ms (the child CPU clock above ticks in 10 ms)",
    )


def main() -> int:
    p = parser(__doc__)
    p.add_argument("--repeat", type=int, default=15, help="interleaved runs per path")
    args = p.parse_args()
    repeat = 1 if args.quick else args.repeat
    return finish(measure(repeat), args.json, show)


if __name__ == "__main__":
    raise SystemExit(main())
