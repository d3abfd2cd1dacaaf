"""The ``conversations``  resource (being written)."""

from __future__ import annotations

from ._base import AsyncAPIResource


class Conversations(AsyncAPIResource):
    """Endpoints under ``/v2/conversations``."""
