"""The ``pronunciation_dictionaries``  resource (being written)."""

from __future__ import annotations

from ._base import AsyncAPIResource


class PronunciationDictionaries(AsyncAPIResource):
    """Endpoints under ``/v2/pronunciation_dictionaries``."""
