"""The ``documents``  resource (being written)."""

from __future__ import annotations

from ._base import AsyncAPIResource


class Documents(AsyncAPIResource):
    """Endpoints under ``/v2/documents``."""
