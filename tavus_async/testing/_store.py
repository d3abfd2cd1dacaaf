"""The simulator's in-memory account: one dict of records per resource, plus id generation.

Records are plain JSON-ready dicts shaped like Tavus's responses, with private bookkeeping kept
under keys that start with an underscore (never sent to clients).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

__all__ = ["Store", "hex_id", "public"]

Record = dict[str, Any]


def public(record: Record) -> Record:
    """A copy of ``record`` without its private (underscore) keys."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


def hex_id(prefix: str, width: int) -> Callable[[random.Random], str]:
    """An id maker: ``prefix`` then ``width`` hex digits (Tavus's usual id shape)."""

    def make(rng: random.Random) -> str:
        return prefix + f"{rng.getrandbits(width * 4):0{width}x}"

    return make


@dataclass
class Store:
    """Every resource of the simulated account, keyed by id, in creation order.

    One table per catalog row (``store.personas``, ``store.pronunciation_dictionaries``...,
    or ``store.table(name)``), so a new resource needs no change here. The stock voices are a
    plain list.

    Args:
        now: returns simulated seconds since start (the clock's ``now``).
        seed: seed for id generation, so a test can get the same ids on every run.
    """

    now: Callable[[], float]
    seed: int | None = None
    voices: list[Record] = field(default_factory=list)
    tables: dict[str, dict[str, Record]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Imported here: the catalog pulls in the client's resource classes, which the store
        # uses for nothing but the resource names.
        from .._catalog import CATALOG

        self._rng = random.Random(self.seed)
        self._epoch = datetime.now(timezone.utc)
        # A row whose records are another's (pals are personas) shares that row's table.
        self._table_of = {row.name: row.table_name for row in CATALOG}
        for row in CATALOG:
            if row.name != "voices":
                self.tables.setdefault(row.table_name, {})

    def table(self, name: str) -> dict[str, Record]:
        """The records of one resource, by id (``table("pals")`` is the personas' table).

        Raises:
            KeyError: No resource of that name in the catalog.
        """
        return self.tables[self._table_of.get(name, name)]

    def __getattr__(self, name: str) -> dict[str, Record]:
        # Only reached for names that are not real attributes: the per-resource tables.
        tables = self.__dict__.get("tables")
        if tables is not None and name in tables:
            return tables[name]  # type: ignore[no-any-return]
        raise AttributeError(f"the simulator's store has no table {name!r}")

    def new_id(self, kind: str, make: Callable[[random.Random], str]) -> str:
        """A fresh id made by ``make`` (see :func:`hex_id`), unique within ``kind``'s table."""
        return self.fresh_id(make, self.tables[kind])

    def fresh_id(self, make: Callable[[random.Random], str], taken: Container[str]) -> str:
        """A fresh id made by ``make`` that is not in ``taken`` (ids kept outside a table:
        the voices list, the items of a guardrails set)."""
        while True:
            rid = make(self._rng)
            if rid not in taken:
                return rid

    def meeting_token(self) -> str:
        """A JWT-looking opaque token for private rooms (not a real JWT)."""
        return "eyJhbGciOiJIUzI1NiJ9." + f"{self._rng.getrandbits(256):064x}"

    # -- timestamps ---------------------------------------------------------------------------

    def moment(self) -> datetime:
        """The simulated wall-clock time."""
        return self._epoch + timedelta(seconds=self.now())

    def iso(self) -> str:
        """``2025-05-16T02:09:22.675928Z``: the conversations/personas timestamp shape."""
        return self.moment().strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def iso_ms(self) -> str:
        """``2024-01-24T07:14:03.327Z``: the replicas timestamp shape."""
        return self.moment().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    def rfc1123(self) -> str:
        """``Mon, 14 Jul 2025 09:14:24 GMT``: the video create timestamp shape."""
        return self.moment().strftime("%a, %d %b %Y %H:%M:%S GMT")

    def plain(self) -> str:
        """``2024-08-28 15:27:40.824457``: the video callback timestamp shape."""
        return self.moment().strftime("%Y-%m-%d %H:%M:%S.%f")

    def epoch(self) -> float:
        """Unix seconds (transcript entries use this)."""
        return self.moment().timestamp()

    # -- queries --------------------------------------------------------------------------------

    def active_conversations(self) -> int:
        """Conversations that count toward the concurrency cap."""
        return sum(
            1
            for c in self.conversations.values()
            if c["status"] == "active" and not c.get("_test_mode")
        )

    def snapshot(self) -> dict[str, list[Record]]:
        """A JSON-ready copy of every resource (public fields only), for inspection."""
        return {name: [public(r) for r in table.values()] for name, table in self.tables.items()}
