"""The argparse tree of ``tavus-async``."""

from __future__ import annotations

import argparse
from typing import NoReturn

from .. import _version
from . import demo, fleet, rooms, simulate
from .resources import add_resource_parsers
from .waiting import cmd_wait

__all__ = ["build_parser"]

_EPILOG = """\
The API key comes from --api-key or TAVUS_API_KEY and is never printed.
Try it without an account:  tavus-async demo     (an embedded simulator, nothing to set up)
Run a local fake Tavus:     tavus-async simulate (then --base-url/--api-key as it prints)
"""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line (the usage text is one --help away)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see: {self.prog} --help)\n")


def _global_flags(*, suppress: bool) -> argparse.ArgumentParser:
    """The flags every command takes, before or after the command name.

    On sub-commands the defaults are suppressed, so ``--json`` given before the command is not
    reset by the sub-parser's own default.
    """
    default = argparse.SUPPRESS if suppress else None
    flags = argparse.ArgumentParser(add_help=False)
    flags.add_argument(
        "--api-key",
        default=default,
        metavar="KEY",
        help="the Tavus API key (default: $TAVUS_API_KEY)",
    )
    flags.add_argument(
        "--base-url",
        default=default,
        metavar="URL",
        help="the API base URL (default: $TAVUS_BASE_URL or https://tavusapi.com)",
    )
    flags.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="print JSON for programs instead of tables",
    )
    return flags


def build_parser() -> argparse.ArgumentParser:
    """Build the whole command tree."""
    parser = _Parser(
        prog="tavus-async",
        description="Command line for the Tavus Conversational Video Interface (tavus-async).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_global_flags(suppress=False)],
    )
    parser.add_argument(
        "--version", action="version", version=f"tavus-async {_version.__version__}"
    )
    common = _global_flags(suppress=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_resource_parsers(commands, common, cmd_wait)
    rooms.add_parsers(commands, common)
    simulate.add_parser(commands, common)
    demo.add_parser(commands, common)
    fleet.add_parser(commands, common)
    return parser
