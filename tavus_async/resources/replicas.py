"""The ``replicas``  resource (being written)."""

from __future__ import annotations

from ._base import AsyncAPIResource


class Replicas(AsyncAPIResource):
    """Endpoints under ``/v2/replicas``."""
