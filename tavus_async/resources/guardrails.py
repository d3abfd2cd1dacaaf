"""The ``guardrails``  resource (being written)."""

from __future__ import annotations

from ._base import AsyncAPIResource


class Guardrails(AsyncAPIResource):
    """Endpoints under ``/v2/guardrails``."""
