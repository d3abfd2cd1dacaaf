"""Helpers the benchmark scripts share: arguments, timing, machine facts, tables, JSON, servers.

Every script accepts ``--quick`` (tiny sizes, for the smoke tests) and ``--json PATH`` (also
write the results there), and prints a table whose ratios compare paths measured in the same
process, so that most of the machine's noise cancels out.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # Run from a checkout without installing: the scripts import tavus_async from the tree.
    sys.path.insert(0, str(ROOT))

#: A conversation id for the in-process benchmarks (any well-formed id would do).
CID = "c58b46f8646d943f"
#: Words the replica's captions are cut from, so every event mix carries the same speech.
CAPTION_WORDS = (
    "sure",
    "your",
    "order",
    "ships",
    "tomorrow",
    "and",
    "the",
    "tracking",
    "number",
    "is",
    "in",
    "your",
    "email",
)
#: ``help=`` for the options a script passes to its own child processes, hidden from ``--help``.
HIDDEN = argparse.SUPPRESS


def parser(doc: str | None) -> argparse.ArgumentParser:
    """An argument parser with the options every benchmark takes (``--quick``, ``--json``)."""
    p = argparse.ArgumentParser(
        description=(doc or "").strip().split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke test")
    p.add_argument("--json", type=Path, help="also write the results as JSON to this path")
    return p


@dataclass
class Timing:
    """Wall-clock and CPU seconds of one measured block (CPU: every thread of this process)."""

    wall: float = 0.0
    cpu: float = 0.0


@contextmanager
def timed() -> Iterator[Timing]:
    """Measure the wall and process CPU time of the ``with`` block."""
    t = Timing()
    w0, c0 = time.perf_counter(), time.process_time()
    try:
        yield t
    finally:
        t.wall = time.perf_counter() - w0
        t.cpu = time.process_time() - c0


def median(values: Sequence[float]) -> float:
    """The median (the figure reported: robust to a noisy neighbour on a shared machine)."""
    return float(statistics.median(values))


def spread(values: Sequence[float]) -> float:
    """(max - min) / median, a rough noise figure for a set of repeats (0 for one value)."""
    if len(values) < 2:
        return 0.0
    m = statistics.median(values)
    return (max(values) - min(values)) / m if m else 0.0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def machine(*packages: str) -> dict[str, Any]:
    """What the figures were measured on: CPU, cores, OS, Python and package versions."""
    return {
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "packages": {name: _version(name) for name in ("tavus-async", *packages)},
    }


def write_json(path: Path | None, result: dict[str, Any]) -> None:
    """Write ``result`` to ``path`` (creating its folder) when a path was given."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, sort_keys=False) + "\n")


def _cell(value: Any, fmt: str) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return format(value, fmt)


def table(
    title: str,
    columns: Sequence[tuple[str, str, str]],
    rows: Sequence[dict[str, Any]],
) -> str:
    """A plain-text table.

    Args:
        title: A line printed above the table.
        columns: ``(key, heading, format)`` per column; strings are left-aligned, numbers
            right-aligned with ``format`` (e.g. ``",.0f"``, ``".2f"``).
        rows: One dict per row.
    """
    cells = [[_cell(r.get(k), f) for k, _, f in columns] for r in rows]
    widths = [
        max(len(h), *(len(c[i]) for c in cells)) if cells else len(h)
        for i, (_, h, _) in enumerate(columns)
    ]
    left = [all(isinstance(r.get(k), str) for r in rows) for k, _, _ in columns]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.ljust(w) if is_left else v.rjust(w)
            for v, w, is_left in zip(values, widths, left, strict=True)
        ).rstrip()

    out = [title, line([h for _, h, _ in columns]), line(["-" * w for w in widths])]
    out += [line(c) for c in cells]
    return "\n".join(out)


def print_table(
    title: str,
    columns: Sequence[tuple[str, str, str]],
    rows: Sequence[dict[str, Any]],
    *notes: str,
) -> None:
    """Print :func:`table`, then each of ``notes`` on a line of its own, then a blank line."""
    print(table(title, columns, rows))
    for note in notes:
        print(note)
    print()


def verdict(met: bool) -> str:
    """How a goal line ends: ``met``, or ``MISSED`` in capitals so that it stands out."""
    return "met" if met else "MISSED"


def finish(
    result: dict[str, Any], path: Path | None, show: Callable[[dict[str, Any]], None]
) -> int:
    """Print ``result`` with ``show``, write it to ``path`` as JSON (if given); exit status 0."""
    show(result)
    write_json(path, result)
    return 0


def interleaved(
    fns: Sequence[Callable[[], float]],
    repeat: int,
) -> list[list[float]]:
    """Call each function ``repeat`` times, round-robin; return each one's results.

    Interleaving spreads a neighbour's noise (other processes, frequency changes) evenly over
    the paths being compared, so their ratios are fairer than timing each path in one block.
    """
    out: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            out[i].append(fn())
    return out


class ServerProcess:
    """A helper server in a child process that prints one JSON line when it is ready.

    The child runs ``python SCRIPT ARGS...``; its first stdout line must be a JSON object
    (e.g. ``{"url": ...}``), read by :meth:`start`. The child exits when its stdin closes, so
    it never outlives the benchmark, even if this process is killed.
    """

    def __init__(self, script: Path, *args: str, ready_timeout: float = 60.0) -> None:
        self._cmd = [sys.executable, str(script), *args]
        self._ready_timeout = ready_timeout
        self.proc: subprocess.Popen[str] | None = None
        self.info: dict[str, Any] = {}

    def start(self) -> dict[str, Any]:
        """Start the child and return its ready line, decoded.

        Raises:
            RuntimeError: The child exited or printed something else before it was ready.
        """
        import selectors

        self.proc = subprocess.Popen(
            self._cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        if not sel.select(self._ready_timeout):
            self.stop()
            raise RuntimeError(f"{self._cmd[1]} was not ready within {self._ready_timeout:g}s")
        sel.close()
        line = self.proc.stdout.readline()
        try:
            self.info = json.loads(line)
        except ValueError:
            self.stop()
            raise RuntimeError(f"the helper server did not start: {line!r}") from None
        return self.info

    def cpu_seconds(self) -> float:
        """User + system CPU seconds the child has used so far."""
        import psutil  # type: ignore[import-untyped,unused-ignore]

        assert self.proc is not None
        t = psutil.Process(self.proc.pid).cpu_times()
        return float(t.user + t.system)

    def stop(self) -> None:
        """Close the child's stdin (its signal to exit) and reap it, killing it if it hangs."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


async def wait_stdin_closed() -> None:
    """Return when this process's stdin reaches EOF (the parent's signal to stop a server)."""
    import asyncio

    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


async def announce_until_stdin_closed(info: dict[str, Any]) -> None:
    """Print ``info`` as the ready line :class:`ServerProcess` reads; return at stdin's EOF."""
    print(json.dumps(info), flush=True)
    await wait_stdin_closed()
