"""``replicas wait``, ``videos wait``, ``documents wait``: poll until ready, showing progress.

On a terminal the progress is a bar redrawn in place on standard error; otherwise one plain line
per change, so logs stay readable. The final resource goes to standard output either way.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from typing import Any, TextIO

from ..errors import WaitTimeoutError
from ..models import parse_progress
from .common import CommandFailed, make_client
from .output import Output
from .resources import sdk_input

__all__ = ["ProgressReporter", "cmd_wait", "progress_of"]

# Each resource names its progress differently: replicas "50/100", videos "50/100", documents 50.
_PROGRESS_FIELDS = ("training_progress", "generation_progress", "progress")
_BAR_WIDTH = 30


def progress_of(obj: Any) -> tuple[str | None, float | None]:
    """Read ``(status, percent)`` from a waiter's progress report or a model (either may be None).

    The SDK's waiters hand over a ``Progress`` (``status``, ``percent``, ``model``); a bare
    replica, video or document is read from its own progress field.
    """
    status = _field(obj, "status")
    if hasattr(obj, "percent") and hasattr(obj, "model"):
        percent = obj.percent
        return (str(status) if status is not None else None), percent
    for name in _PROGRESS_FIELDS:
        percent = _percent(_field(obj, name))
        if percent is not None:
            return (str(status) if status is not None else None), percent
    return (str(status) if status is not None else None), None


def _field(obj: Any, name: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _percent(value: Any) -> float | None:
    # The SDK's one progress parser (a fraction), shown here as a percentage.
    fraction = parse_progress(value)
    return None if fraction is None else 100.0 * fraction


class ProgressReporter:
    """Show a resource's progress: a bar on a terminal, a line per change elsewhere.

    Args:
        label: What is being waited for (``replica r123``).
        stream: Where progress goes (standard error by default).
        tty: Draw a bar; defaults to whether ``stream`` is a terminal.
    """

    def __init__(
        self, label: str, *, stream: TextIO | None = None, tty: bool | None = None
    ) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.updates = 0
        self._last: tuple[str | None, float | None] | None = None

    def __call__(self, obj: Any) -> None:
        """Report one polled state (the waiter's ``on_progress`` callback)."""
        state = progress_of(obj)
        self.updates += 1
        if state == self._last:
            return
        self._last = state
        status, percent = state
        if self.tty:
            filled = round(_BAR_WIDTH * (percent or 0.0) / 100.0)
            bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
            pct = f"{percent:5.1f}%" if percent is not None else "    ?%"
            self.stream.write(f"\r{self.label} [{bar}] {pct} {status or ''}\x1b[K")
        else:
            pct = f" {percent:.0f}%" if percent is not None else ""
            self.stream.write(f"{self.label}: {status or 'unknown'}{pct}\n")
        self.stream.flush()

    def finish(self) -> None:
        """End the bar's line so later output starts on a fresh one."""
        if self.tty and self._last is not None:
            self.stream.write("\n")
            self.stream.flush()


async def cmd_wait(args: argparse.Namespace, out: Output) -> int:
    """Wait until the resource is ready, then print it.

    A failed job (``JobFailedError``, with Tavus's own reason) or a timeout
    (``WaitTimeoutError``) is a one-line error with exit status 1.
    """
    spec = args.spec
    reporter = ProgressReporter(f"{spec.cli.singular} {args.id}")
    options: dict[str, Any] = {"on_progress": reporter}
    if args.timeout is not None:
        options["timeout"] = args.timeout
    if args.interval is not None:
        options["interval"] = args.interval
    async with make_client(args) as tavus:
        waiter = getattr(tavus, spec.name).wait_until_ready
        try:
            with sdk_input(spec, "wait"):
                result = await waiter(args.id, **options)
        except WaitTimeoutError as exc:
            # The SDK's message names its Python argument; here the knob is --timeout.
            waited = options.get("timeout", inspect.signature(waiter).parameters["timeout"].default)
            status, _ = progress_of(exc.last) if exc.last is not None else (None, None)
            raise CommandFailed(
                f"{spec.cli.singular} {args.id} was not ready after {waited:g}s "
                f"(last status: {status or 'unknown'}); raise --timeout to wait longer"
            ) from None
        finally:
            reporter.finish()
    out.record(result)
    return 0
