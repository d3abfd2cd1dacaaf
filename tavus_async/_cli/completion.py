"""``completion``: the shell script that completes ``tavus-async`` commands, flags and choices.

Completion itself is argcomplete's (a well-kept library, the one pipx and nox use): the script
calls ``tavus-async`` back with ``_ARGCOMPLETE`` set, and :func:`tavus_async.cli.main` hands the
parser to argcomplete, which prints the candidates. Nothing of argcomplete is imported otherwise.
"""

from __future__ import annotations

import argparse
from typing import Any

from .output import Output

__all__ = ["SHELLS", "add_parser", "cmd_completion", "complete_if_asked"]

SHELLS = ("bash", "zsh", "fish")
PROG = "tavus-async"


async def cmd_completion(args: argparse.Namespace, out: Output) -> int:
    """Print the completion script of ``args.shell``."""
    from argcomplete.shell_integration import shellcode

    out.line(shellcode([PROG], shell=args.shell).rstrip("\n"))
    return 0


def complete_if_asked(parser: argparse.ArgumentParser) -> None:
    """When a shell asks for completions (``_ARGCOMPLETE`` set), print them and exit.

    A no-op otherwise; cheap enough to run on every start (one environment lookup).
    """
    import os

    if "_ARGCOMPLETE" not in os.environ:
        return
    import argcomplete

    argcomplete.autocomplete(parser)


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``completion``."""
    p = commands.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh or fish)",
        description="Print the script that completes tavus-async commands and flags. "
        'Load it in the current shell with  eval "$(tavus-async completion bash)"  '
        "(zsh: the same with zsh; fish: tavus-async completion fish | source), or save it "
        "where your shell reads completions at start.",
    )
    p.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")
    p.set_defaults(handler=cmd_completion, flags=frozenset())
