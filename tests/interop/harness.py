"""Run other people's Tavus clients, unchanged, against the simulator (``nox -s interop``).

Real clients written by others are the best test of the simulator's fidelity: each one here is
installed from PyPI into the interop virtualenv, pointed at a :class:`TavusSimulator` by its base
URL alone, and driven through the REST calls it has. Every step that changes something is read
back through the same client. The harness prints one table (client, steps, passed, failed) and
exits non-zero if any step failed, listing what went wrong.

Clients:
- ``tavus-cli`` (Tavus's official CLI, SDK ``tavus_mcp.sdk``), as a subprocess with
  ``TAVUS_PUBLIC_API_BASE_URL`` set (see :mod:`interop_tavus_cli`);
- pipecat's ``TavusApi``, livekit-plugins-tavus's ``TavusAPI`` and astrocyte-integration-tavus's
  ``TavusClient``, in process (see :mod:`interop_peers`).

Usage::

    python tests/interop/harness.py [--only tavus-cli] [--verbose]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from interop_kit import Report

from tavus_async.testing import TavusSimulator


async def _main(only: list[str], verbose: bool) -> int:
    import interop_peers
    import interop_tavus_cli

    suites = {
        "tavus-cli": interop_tavus_cli.run,
        **interop_peers.SUITES,
    }
    reports: list[Report] = []
    async with TavusSimulator() as sim:
        for name, suite in suites.items():
            if only and name not in only:
                continue
            report = Report(name, verbose=verbose)
            started = time.perf_counter()
            try:
                await suite(sim, report)
            except Exception as exc:  # a crash of the suite itself is one failed step
                report.fail("suite", f"crashed: {type(exc).__name__}: {exc}")
            report.seconds = time.perf_counter() - started
            reports.append(report)
    print()
    print(f"{'client':<32} {'steps':>6} {'passed':>7} {'failed':>7} {'seconds':>8}")
    for r in reports:
        print(f"{r.name:<32} {r.steps:>6} {r.passed:>7} {r.failed:>7} {r.seconds:>8.1f}")
    failures = [(r.name, f) for r in reports for f in r.failures]
    if failures:
        print("\nFailures:")
        for name, (step, why) in failures:
            print(f"- {name}: {step}: {why}")
    total = sum(r.steps for r in reports)
    print(f"\n{sum(r.passed for r in reports)} passed, {len(failures)} failed")
    return 1 if failures or not total else 0


def main() -> None:
    """Parse the options and run the suites."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], help="run only this client")
    parser.add_argument("--verbose", action="store_true", help="print every step")
    args = parser.parse_args()
    sys.exit(asyncio.run(_main(args.only, args.verbose)))


if __name__ == "__main__":
    main()
