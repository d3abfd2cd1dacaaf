"""The simulator's in-memory account: one dict of records per resource, plus id generation.

Records are plain JSON-ready dicts shaped like Tavus's responses, with private bookkeeping kept
under keys that start with an underscore (never sent to clients).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

__all__ = ["Store", "public"]

Record = dict[str, Any]

# Tavus's observed id shapes (rest-api-notes §1): a letter prefix then hex, documents "d8-...",
# pronunciation dictionaries "pd_...", videos bare hex.
_PREFIX = {
    "conversations": ("c", 11),
    "personas": ("p", 11),
    "replicas": ("r", 11),
    "objectives": ("o", 11),
    "guardrails": ("g", 11),
    "videos": ("", 10),
    "dictionaries": ("pd_", 12),
}


def public(record: Record) -> Record:
    """A copy of ``record`` without its private (underscore) keys."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


@dataclass
class Store:
    """Every resource of the simulated account, keyed by id, in creation order.

    Args:
        now: returns simulated seconds since start (the clock's ``now``).
        seed: seed for id generation, so a test can get the same ids on every run.
    """

    now: Callable[[], float]
    seed: int | None = None
    conversations: dict[str, Record] = field(default_factory=dict)
    personas: dict[str, Record] = field(default_factory=dict)
    replicas: dict[str, Record] = field(default_factory=dict)
    objectives: dict[str, Record] = field(default_factory=dict)
    guardrails: dict[str, Record] = field(default_factory=dict)
    documents: dict[str, Record] = field(default_factory=dict)
    videos: dict[str, Record] = field(default_factory=dict)
    dictionaries: dict[str, Record] = field(default_factory=dict)
    voices: list[Record] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._epoch = datetime.now(timezone.utc)

    def new_id(self, kind: str) -> str:
        """A fresh id for a resource kind, unique within this store."""
        table: dict[str, Record] = getattr(self, kind)
        while True:
            if kind == "documents":
                rid = f"d{self._rng.randrange(10)}-{self._rng.getrandbits(48):012x}"
            else:
                prefix, width = _PREFIX[kind]
                rid = prefix + f"{self._rng.getrandbits(width * 4):0{width}x}"
            if rid not in table:
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
        names = (
            "conversations",
            "personas",
            "replicas",
            "objectives",
            "guardrails",
            "documents",
            "videos",
            "dictionaries",
        )
        return {n: [public(r) for r in getattr(self, n).values()] for n in names}
