"""The ``objectives``  resource (being written)."""

from __future__ import annotations

from ._base import AsyncAPIResource


class Objectives(AsyncAPIResource):
    """Endpoints under ``/v2/objectives``."""
