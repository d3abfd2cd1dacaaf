"""The ``tavus-async`` command line (also ``python -m tavus_async``).

Every command runs in its own ``asyncio.run``. Failures the user can act on print exactly one
line, ``error: ...``, on standard error: a Tavus error exits 1, a usage error exits 2, Ctrl-C
exits 130. The API key is never printed: every error line goes through the same redaction as the
SDK's logs.

Example::

    $ tavus-async demo
    $ tavus-async personas list --json
    $ tavus-async listen https://tavus.daily.co/c123 --type conversation.utterance
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Sequence

from ._cli.common import CLIUsageError, CommandFailed
from ._cli.output import Output
from ._cli.parser import build_parser
from ._logging import redact
from .errors import TavusError

__all__ = ["main"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _fail(message: str, *, api_key: str | None) -> None:
    line = " ".join(str(message).split())  # one line, whatever the server's text held
    if api_key:
        line = line.replace(api_key, "***")
    sys.stderr.write(f"tavus-async: error: {redact(line)}\n")
    sys.stderr.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit status.

    Args:
        argv: The arguments after the program name; defaults to ``sys.argv[1:]``.

    Returns:
        0 on success, 1 when Tavus (or the room) reported an error, 2 for a usage error,
        130 when interrupted.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help (0) and on usage errors (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    api_key = args.api_key or os.environ.get("TAVUS_API_KEY")
    out = Output(json_mode=bool(args.json))
    try:
        status: int = asyncio.run(_run(args, out))
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return EXIT_INTERRUPTED
    except CLIUsageError as exc:
        _fail(str(exc), api_key=api_key)
        return EXIT_USAGE
    except (TavusError, CommandFailed) as exc:
        _fail(str(exc), api_key=api_key)
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader went away (`tavus-async listen ... | head`): not an error of ours.
        _silence_stdout()
        return EXIT_OK
    return status


#: Commands that run until stopped: SIGTERM is their normal end, not a failure.
_RUN_UNTIL_STOPPED = frozenset({"listen", "simulate"})
EXIT_TERMINATED = 143


async def _run(args: argparse.Namespace, out: Output) -> int:
    """Run the command; SIGTERM cancels it like Ctrl-C does, so rooms are left cleanly."""
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    terminated = False

    def on_sigterm() -> None:
        nonlocal terminated
        terminated = True
        if task is not None:
            task.cancel()

    # Signal handlers belong to the main thread (tests call main() from worker threads).
    installed = False
    if threading.current_thread() is threading.main_thread():
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signal.SIGTERM, on_sigterm)
            installed = True
    try:
        status: int = await args.handler(args, out)
    except asyncio.CancelledError:
        if not terminated:
            raise
        return EXIT_OK if args.command in _RUN_UNTIL_STOPPED else EXIT_TERMINATED
    finally:
        if installed:
            loop.remove_signal_handler(signal.SIGTERM)
    return status


def _silence_stdout() -> None:
    # Python flushes stdout at exit; pointing it at devnull stops a second BrokenPipeError.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _entry() -> None:
    raise SystemExit(main())


if __name__ == "__main__":
    _entry()
