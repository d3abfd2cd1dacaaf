"""``simulate``: run the Tavus simulator as a standalone server until stopped."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, Any

from .common import CommandFailed
from .output import Output

if TYPE_CHECKING:
    from ..testing import TavusSimulator

__all__ = ["add_parser", "cmd_simulate"]


async def cmd_simulate(args: argparse.Namespace, out: Output) -> int:
    """Serve the simulator on ``--host``/``--port`` until Ctrl-C or SIGTERM (exit 0)."""
    from ..testing import serve  # imported here: only this command needs the server side

    options: dict[str, Any] = {}
    # The key clients must send: --api-key, else $TAVUS_API_KEY (so a key exported from an
    # earlier run still works after a restart), else a random one. One from the environment is
    # not printed: it may be a real Tavus key, and the shell that has it needs no reminder.
    from_env = not args.api_key and bool(os.environ.get("TAVUS_API_KEY"))
    key = args.api_key or os.environ.get("TAVUS_API_KEY")
    if key:
        options["api_key"] = key
    if args.time is not None:
        options["time"] = args.time

    def announce(sim: TavusSimulator) -> None:
        if out.json_mode:
            shown: dict[str, Any] = {"base_url": sim.base_url, "ws_base_url": sim.ws_base_url}
            if from_env:
                shown["api_key_from"] = "TAVUS_API_KEY"
            else:
                shown["api_key"] = sim.api_key
            out.json(shown, compact=True)
            return
        out.line(f"Tavus simulator listening on {sim.base_url}")
        out.line(f"  TAVUS_BASE_URL={sim.base_url}")
        if from_env:
            out.line("  TAVUS_API_KEY: the one already in your environment (not shown)")
        else:
            # The simulator's own key, not a Tavus secret: printing it is the point.
            out.line(f"  TAVUS_API_KEY={sim.api_key}")
        out.line("Press Ctrl+C to stop.")

    # Runs until cancelled: Ctrl-C, or SIGTERM (which the entry point turns into a cancel).
    try:
        await serve(
            port=args.port,
            host=args.host,
            on_ready=announce,
            announce=False,
            **options,
        )
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
    flags: argparse.ArgumentParser,
) -> None:
    """Add ``simulate`` (``flags``: its own ``--api-key`` and ``--json``)."""
    p = commands.add_parser(
        "simulate",
        help="run a local fake of the Tavus API (and its rooms)",
        parents=[flags],
        description="Serve the simulator until Ctrl-C; point clients at the base URL and key "
        "it prints (with --json: one JSON line with base_url, ws_base_url and api_key). The key "
        "is --api-key, else $TAVUS_API_KEY when set, else a new random one.",
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
        help="simulated time: real (default), instant, manual, or a speed-up factor such as 10",
    )
    p.set_defaults(handler=cmd_simulate, flags=frozenset({"api_key", "json"}))


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {text!r}")
    return port
