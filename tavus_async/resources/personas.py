"""The ``personas``  resource (being written)."""

from __future__ import annotations

from ._base import AsyncAPIResource


class Personas(AsyncAPIResource):
    """Endpoints under ``/v2/personas``."""
