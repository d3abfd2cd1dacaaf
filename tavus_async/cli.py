"""The ``tavus-async`` command line (also ``python -m tavus_async``).

Every command runs in its own ``asyncio.run``. Failures the user can act on print exactly one
line, ``error: ...``, on standard error (with ``--json``: one JSON object,
``{"error": {"type": ..., "message": ..., "exit_code": ...}}``): a Tavus error exits 1, a usage
error exits 2, Ctrl-C exits 130. The API key is never printed: every error line goes through the
same redaction as the SDK's logs.

Example::

    $ tavus-async demo
    $ tavus-async personas list --json
    $ tavus-async listen https://tavus.daily.co/c123 --type conversation.utterance
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from ._cli.common import CLIUsageError, CommandFailed
from ._cli.completion import complete_if_asked
from ._cli.output import Output
from ._cli.parser import build_parser, check_flags
from ._logging import redact
from .errors import APIStatusError, TavusError

__all__ = ["main"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _fail(
    error: BaseException,
    code: int,
    *,
    api_key: str | None,
    json_mode: bool,
    kind: str | None = None,
) -> int:
    """Report ``error`` on standard error (one line, or one JSON object); return ``code``."""
    line = " ".join(str(error).split())  # one line, whatever the server's text held
    if api_key:
        line = line.replace(api_key, "***")
    line = redact(line)
    if json_mode:
        report: dict[str, Any] = {
            "type": kind or type(error).__name__,
            "message": line,
            "exit_code": code,
        }
        if isinstance(error, APIStatusError):
            report["status_code"] = error.status_code
            if error.request_id:
                report["request_id"] = error.request_id
        sys.stderr.write(json.dumps({"error": report}, ensure_ascii=False) + "\n")
    else:
        sys.stderr.write(f"tavus-async: error: {line}\n")
    sys.stderr.flush()
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit status.

    Args:
        argv: The arguments after the program name; defaults to ``sys.argv[1:]``.

    Returns:
        0 on success, 1 when Tavus (or the room) reported an error, 2 for a usage error,
        130 when interrupted.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    complete_if_asked(parser)  # a shell asking for completions: answered, then exits
    # A usage error can come before --json is parsed: look for it in the raw arguments.
    json_mode = "--json" in argv
    api_key = os.environ.get("TAVUS_API_KEY")
    try:
        args = parser.parse_args(argv)
        check_flags(args)
    except SystemExit as exc:  # argparse exits on --help and --version (0)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except CLIUsageError as exc:
        return _fail(exc, EXIT_USAGE, api_key=api_key, json_mode=json_mode, kind="UsageError")
    api_key = args.api_key or api_key
    json_mode = bool(args.json)
    out = Output(json_mode=json_mode)
    try:
        status: int = asyncio.run(_run(args, out))
    except KeyboardInterrupt:
        if json_mode:
            return _fail(
                KeyboardInterrupt("interrupted"),
                EXIT_INTERRUPTED,
                api_key=None,
                json_mode=True,
                kind="Interrupted",
            )
        sys.stderr.write("interrupted\n")
        return EXIT_INTERRUPTED
    except CLIUsageError as exc:
        return _fail(exc, EXIT_USAGE, api_key=api_key, json_mode=json_mode, kind="UsageError")
    except (TavusError, CommandFailed) as exc:
        return _fail(exc, EXIT_ERROR, api_key=api_key, json_mode=json_mode)
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
