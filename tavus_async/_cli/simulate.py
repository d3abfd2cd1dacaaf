"""``simulate``: run the Tavus simulator as a standalone server until stopped."""

from __future__ import annotations

import argparse
from typing import Any

from .common import CommandFailed
from .output import Output

__all__ = ["add_parser", "cmd_simulate"]


async def cmd_simulate(args: argparse.Namespace, out: Output) -> int:
    """Serve the simulator on ``--host``/``--port`` until Ctrl-C or SIGTERM (exit 0)."""
    from ..testing import serve  # imported here: only this command needs the server side

    options: dict[str, Any] = {}
    if args.api_key:
        options["api_key"] = args.api_key  # the key clients must send; the simulator prints it
    if args.time is not None:
        options["time"] = args.time
    # Runs until cancelled: Ctrl-C, or SIGTERM (which the entry point turns into a cancel).
    try:
        await serve(port=args.port, host=args.host, **options)
    except OSError as exc:
        raise CommandFailed(
            f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc} "
            "(try another --port, or --port 0 for any free one)"
        ) from None
    return 0


def time_mode(text: str) -> Any:
    """``--time``: ``real``, ``instant``, ``manual`` or a positive speed-up factor."""
    if text in ("real", "instant", "manual"):
        return text
    try:
        factor = float(text)
    except ValueError:
        factor = 0.0
    if not factor > 0:
        raise argparse.ArgumentTypeError(
            f"expected real, instant, manual or a positive speed-up factor, got {text!r}"
        )
    return factor


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
    p.add_argument(
        "--port", type=_port, default=8787, help="TCP port (default 8787; 0 = any free one)"
    )
    p.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    p.add_argument(
        "--time",
        type=time_mode,
        default=None,
        metavar="MODE",
        help="simulated time: real (default), instant, or a speed-up factor such as 10",
    )
    p.set_defaults(handler=cmd_simulate)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {text!r}")
    return port
