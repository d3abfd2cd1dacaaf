"""The argparse tree of ``tavus-async``.

Each command takes only the flags that do something for it: the REST and room commands take
``--api-key``, ``--base-url`` and ``--json``; ``simulate`` takes its own ``--api-key`` (the key it
accepts) and ``--json``; ``fleet status`` (Redis only) takes ``--json``; ``completion`` takes
none of them. The same flags are accepted before the
command name, and rejected there when the command has no use for them.
"""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

from .. import _version
from . import completion, demo, fleet, rooms, simulate
from .common import CLIUsageError
from .resources import add_resource_parsers
from .waiting import cmd_wait

__all__ = ["build_parser", "check_flags"]

_EPILOG = """\
The API key comes from --api-key or TAVUS_API_KEY and is never printed.
Try it without an account:  tavus-async demo     (an embedded simulator, nothing to set up)
Run a local fake Tavus:     tavus-async simulate (then --base-url/--api-key as it prints)
Shell completion:           eval "$(tavus-async completion bash)"   (or zsh, fish)
"""

#: The flags a command takes when it sets no ``flags`` default of its own.
API_FLAGS = frozenset({"api_key", "base_url", "json"})


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are raised, so the entry point reports them once.

    ``main`` prints them as one line (the usage text is one ``--help`` away), or as a JSON
    object with ``--json``.
    """

    def error(self, message: str) -> NoReturn:
        raise CLIUsageError(f"{message} (see: {self.prog} --help)")


def _api_flags(*, suppress: bool) -> argparse.ArgumentParser:
    """``--api-key``, ``--base-url`` and ``--json``: the flags of every REST and room command.

    On sub-commands the defaults are suppressed, so ``--json`` given before the command is not
    reset by the sub-parser's own default.
    """
    flags = argparse.ArgumentParser(add_help=False)
    default = argparse.SUPPRESS if suppress else None
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
    _json_flag(flags, suppress=suppress)
    return flags


def _json_flag(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    parser.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="print JSON for programs instead of tables (errors too: a JSON object on stderr)",
    )


def _json_only() -> argparse.ArgumentParser:
    """``--json`` alone, for commands that make no API call (``fleet status`` reads Redis)."""
    flags = argparse.ArgumentParser(add_help=False)
    _json_flag(flags, suppress=True)
    return flags


def _simulate_flags() -> argparse.ArgumentParser:
    """``simulate``'s ``--api-key`` (the key it accepts, not one it sends) and ``--json``."""
    flags = argparse.ArgumentParser(add_help=False)
    flags.add_argument(
        "--api-key",
        default=argparse.SUPPRESS,
        metavar="KEY",
        help="the key clients must send; default: $TAVUS_API_KEY when it is set (so a key "
        "exported from an earlier run keeps working after a restart; it is not printed, as it "
        "may be a real Tavus key), otherwise a new random key, printed at start",
    )
    _json_flag(flags, suppress=True)
    return flags


def build_parser() -> argparse.ArgumentParser:
    """Build the whole command tree."""
    parser = _Parser(
        prog="tavus-async",
        description="Command line for the Tavus Conversational Video Interface (tavus-async).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_api_flags(suppress=False)],
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"tavus-async {_version.__version__}",
        help="print the version and exit",
    )
    common = _api_flags(suppress=True)
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, help="what to do (COMMAND --help)"
    )
    add_resource_parsers(commands, common, cmd_wait)
    rooms.add_parsers(commands, common)
    simulate.add_parser(commands, _simulate_flags())
    demo.add_parser(commands, common)
    fleet.add_parser(commands, _json_only())
    completion.add_parser(commands)
    return parser


def check_flags(args: argparse.Namespace) -> None:
    """Refuse flags given before the command name that the command does not take.

    Raises:
        CLIUsageError: For example ``tavus-async --base-url URL simulate``.
    """
    takes: frozenset[str] = getattr(args, "flags", API_FLAGS)
    given = {
        "api_key": args.api_key is not None,
        "base_url": args.base_url is not None,
        "json": bool(args.json),
    }
    for name, present in given.items():
        if present and name not in takes:
            flag = "--" + name.replace("_", "-")
            raise CLIUsageError(
                f"{flag} does not apply to `{args.command}` "
                f"(see: tavus-async {args.command} --help)"
            )


def subcommand_parsers(parser: argparse.ArgumentParser) -> dict[str, Any]:
    """Every parser of the tree by its command path (``"personas list"``), for tests and docs."""
    found: dict[str, Any] = {"": parser}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                for path, p in subcommand_parsers(sub).items():
                    found[f"{name} {path}".strip()] = p
    return found
