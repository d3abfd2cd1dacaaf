"""``simulate``: run the Tavus simulator as a standalone server until stopped."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from typing import Any

from .common import NotAvailableError
from .output import Output

__all__ = ["add_parser", "cmd_simulate"]


async def cmd_simulate(args: argparse.Namespace, out: Output) -> int:
    """Serve the simulator on ``--host``/``--port`` until Ctrl-C or SIGTERM; exit 0."""
    try:
        from ..testing import serve
    except ImportError as exc:
        raise NotAvailableError("simulate", f"tavus_async.testing.serve ({exc})") from None
    options: dict[str, Any] = {}
    if args.api_key:
        options["api_key"] = args.api_key  # the key clients must send; the simulator prints it
    if args.time is not None:
        options["time"] = _time_mode(args.time)
    task = asyncio.ensure_future(serve(port=args.port, host=args.host, **options))
    loop = asyncio.get_running_loop()
    # SIGTERM (from a supervisor or a test) stops as cleanly as Ctrl-C: rooms closed, port freed.
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        await task
    except asyncio.CancelledError:
        if not task.cancelled():
            raise
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGTERM)
    return 0


def _time_mode(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


def add_parser(
    commands: argparse._SubParsersAction[Any],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``simulate``."""
    p = commands.add_parser(
        "simulate",
        help="run a local fake of the Tavus API (and its rooms)",
        parents=[common],
        description="Serve the simulator; point clients at the base URL and key it prints. "
        "--api-key sets the key it accepts (random otherwise).",
    )
    p.add_argument("--port", type=int, default=8787, help="TCP port (default 8787; 0 = any free)")
    p.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    p.add_argument(
        "--time",
        default=None,
        metavar="MODE",
        help="simulated time: real (default), instant, or a speed-up factor such as 10",
    )
    p.set_defaults(handler=cmd_simulate)
