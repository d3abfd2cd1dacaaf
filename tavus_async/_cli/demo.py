"""``demo``: a walk through the whole SDK against an embedded simulator (being wired)."""

from __future__ import annotations

import argparse
from typing import Any

from .common import NotAvailableError
from .output import Output

__all__ = ["add_parser", "cmd_demo"]


async def cmd_demo(args: argparse.Namespace, out: Output) -> int:
    """Run the walkthrough."""
    raise NotAvailableError("demo", "the room connector (tavus_async.room.Room)")


def add_parser(
    commands: argparse._SubParsersAction[Any],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``demo``."""
    p = commands.add_parser(
        "demo", help="walk through the SDK on an embedded simulator", parents=[common]
    )
    p.add_argument("--real", action="store_true", help="use the real Tavus API (TAVUS_API_KEY)")
    p.add_argument("--timeout", type=float, default=30.0, help="give up after this many seconds")
    p.set_defaults(handler=cmd_demo)
