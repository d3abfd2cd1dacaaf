"""Printing results: JSON for programs (``--json``), aligned tables for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

import msgspec

__all__ = ["Output", "to_plain"]

#: Fields shown as ``***`` in tables (``--json`` prints them: a program asked for them).
SECRET_FIELDS = frozenset({"meeting_token", "api_key"})
_MAX_CELL = 48


def to_plain(obj: Any) -> Any:
    """Turn a model (msgspec Struct, dataclass, dict, list...) into plain JSON values."""
    return msgspec.to_builtins(obj, builtin_types=None, str_keys=True, enc_hook=_fallback)


def _fallback(obj: Any) -> Any:
    # Models may carry values msgspec cannot encode (a datetime subclass, an enum from elsewhere).
    return str(obj)


def _cell(value: Any, *, limit: int | None = _MAX_CELL) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.replace("\n", " ")
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


class Output:
    """Where a command writes its result.

    Args:
        json_mode: Print JSON (``--json``) instead of tables.
        stream: Standard output unless told otherwise (tests pass a buffer).
    """

    def __init__(self, *, json_mode: bool, stream: TextIO | None = None) -> None:
        self.json_mode = json_mode
        self.stream = stream if stream is not None else sys.stdout

    def line(self, text: str = "") -> None:
        """Write one line and flush it (``listen`` output must not sit in a buffer)."""
        self.stream.write(text + "\n")
        self.stream.flush()

    def json(self, obj: Any, *, compact: bool = False) -> None:
        """Write ``obj`` as JSON: indented, or on one line when ``compact``."""
        plain = to_plain(obj)
        if compact:
            self.line(json.dumps(plain, ensure_ascii=False, separators=(",", ":")))
        else:
            self.line(json.dumps(plain, ensure_ascii=False, indent=2))

    def record(self, obj: Any) -> None:
        """Write one resource: JSON, or a two-column ``field  value`` table."""
        if self.json_mode:
            self.json(obj)
            return
        plain = to_plain(obj)
        if not isinstance(plain, Mapping):
            self.line(_cell(plain, limit=None))
            return
        width = max((len(str(k)) for k in plain), default=0)
        for key, value in plain.items():
            shown = "***" if key in SECRET_FIELDS and value else _cell(value, limit=None)
            self.line(f"{key:<{width}}  {shown}".rstrip())

    def table(
        self,
        items: Sequence[Any],
        columns: Sequence[str],
        *,
        total_count: int | None = None,
    ) -> None:
        """Write a list: ``{"data": [...], "total_count": N}`` as JSON, or a table of ``columns``.

        A table shows the columns that at least one item has, so resources whose items carry
        fewer fields (guardrails lists show ids and dates only) still print cleanly.
        """
        plain_items = [to_plain(item) for item in items]
        if self.json_mode:
            self.json({"data": plain_items, "total_count": total_count})
            return
        rows = [item if isinstance(item, Mapping) else {"value": item} for item in plain_items]
        if not rows:
            self.line("nothing to show" + (f" ({total_count} in total)" if total_count else ""))
            return
        shown = [c for c in columns if any(row.get(c) not in (None, "") for row in rows)]
        if not shown:
            shown = list(columns[:1]) or ["value"]
        cells = [
            ["***" if c in SECRET_FIELDS and row.get(c) else _cell(row.get(c)) for c in shown]
            for row in rows
        ]
        self._grid([c.upper() for c in shown], cells)
        count = f"{len(rows)} shown"
        if total_count is not None:
            count += f" of {total_count}"
        self.line(count)

    def _grid(self, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
        rows = list(rows)
        widths = [len(h) for h in header]
        for row in rows:
            widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
        for row in [header, *rows]:
            self.line(
                "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
