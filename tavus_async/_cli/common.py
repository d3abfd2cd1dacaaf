"""What every command shares: the errors the entry point reports, and the client it builds."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._client import AsyncTavus

__all__ = [
    "CLIUsageError",
    "CommandFailed",
    "load_json_file",
    "make_client",
    "parse_assignment",
    "parse_value",
]


class CLIUsageError(Exception):
    """The command line asked for something impossible; reported with exit status 2."""


class CommandFailed(Exception):
    """The command could not do its job for a reason outside the SDK (a port in use...); exit 1."""


def make_client(args: argparse.Namespace) -> AsyncTavus:
    """Build the client from ``--api-key``/``--base-url`` or the environment.

    Raises:
        ConfigurationError: No key was given and ``TAVUS_API_KEY`` is not set.
    """
    from .._client import AsyncTavus
    from ..errors import ConfigurationError

    if not args.api_key and not env_has_key():
        raise ConfigurationError(
            "no API key: pass --api-key KEY or set TAVUS_API_KEY "
            "(no account? try `tavus-async demo`, or `tavus-async simulate` for a local fake)"
        )
    return AsyncTavus(api_key=args.api_key, base_url=args.base_url)


def parse_value(text: str) -> Any:
    """Read ``text`` as JSON when it is JSON (``3``, ``true``, ``{"a":1}``), else as a string.

    This lets ``--set max_participants=3`` send a number while ``--set name=Ada`` stays a string;
    quote a number to force a string (``--set name='"42"'``).
    """
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_assignment(text: str, *, flag: str) -> tuple[str, Any]:
    """Split ``KEY=VALUE`` (the value parsed by :func:`parse_value`).

    Raises:
        CLIUsageError: There is no ``=`` or the key is empty.
    """
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise CLIUsageError(f"{flag} expects KEY=VALUE, got {text!r}")
    return key, parse_value(value)


def load_json_file(path: str, *, flag: str = "--file") -> Any:
    """Load JSON from ``path`` (``-`` reads standard input).

    Raises:
        CLIUsageError: The file cannot be read or is not valid JSON.
    """
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CLIUsageError(f"{flag}: cannot read {path}: {exc.strerror or exc}") from exc
    try:
        return json.loads(text)
    except ValueError as exc:
        raise CLIUsageError(f"{flag}: {path} is not valid JSON: {exc}") from exc


def env_has_key() -> bool:
    """Whether ``TAVUS_API_KEY`` is set (to a non-empty value)."""
    return bool(os.environ.get("TAVUS_API_KEY"))
