"""The ``videos``  resource (being written)."""

from __future__ import annotations

from ._base import AsyncAPIResource


class Videos(AsyncAPIResource):
    """Endpoints under ``/v2/videos``."""
