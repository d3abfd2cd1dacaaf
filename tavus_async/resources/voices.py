"""The ``voices``  resource (being written)."""

from __future__ import annotations

from ._base import AsyncAPIResource


class Voices(AsyncAPIResource):
    """Endpoints under ``/v2/voices``."""
