"""Pronunciation dictionary models (attach with ``layers.tts.pronunciation_dictionary_id``)."""

from __future__ import annotations

from ._common import RequestModel, Timestamped

__all__ = [
    "PronunciationDictionary",
    "PronunciationDictionaryCreate",
    "PronunciationRule",
]


class PronunciationRule(RequestModel, kw_only=True, omit_defaults=True):
    """One rule: say ``text`` as ``pronunciation``.

    Attributes:
        text: The word or phrase to match (at most 200 characters).
        pronunciation: The replacement text (``alias``) or an IPA string (``ipa``).
        type: ``alias`` or ``ipa``.
        case_sensitive: Match case (Tavus default false).
        word_boundaries: Match whole words only (Tavus default true).
    """

    text: str
    pronunciation: str
    type: str
    case_sensitive: bool | None = None
    word_boundaries: bool | None = None


class PronunciationDictionaryCreate(RequestModel, kw_only=True, omit_defaults=True):
    """The body of ``POST /v2/pronunciation-dictionaries``."""

    name: str
    rules: list[PronunciationRule] | None = None


class PronunciationDictionary(Timestamped, kw_only=True, omit_defaults=True):
    """A pronunciation dictionary (list items carry ``rules_count`` but no ``rules``)."""

    pronunciation_dictionary_id: str
    name: str | None = None
    rules: list[PronunciationRule] | None = None
    rules_count: int | None = None
