"""The ``pronunciation_dictionaries`` resource: ``/v2/pronunciation-dictionaries``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec
from typing_extensions import Unpack

from .._http import RequestOptions
from .._pagination import AsyncPaginator
from ..errors import InvalidInputError
from ..models._common import build_request
from ..models._params import PronunciationDictionaryCreateParams
from ..models.patch import Patch, PatchOp, PatchResult
from ..models.pronunciation_dictionaries import (
    PronunciationDictionary,
    PronunciationDictionaryCreate,
)
from ._base import AsyncAPIResource, call_options, require_id

__all__ = ["PronunciationDictionaries"]


class PronunciationDictionaries(AsyncAPIResource):
    """Pronunciation dictionaries (attach with ``layers.tts.pronunciation_dictionary_id``)."""

    async def create(
        self,
        params: PronunciationDictionaryCreate
        | PronunciationDictionaryCreateParams
        | Mapping[str, Any]
        | None = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **fields: Unpack[PronunciationDictionaryCreateParams],
    ) -> PronunciationDictionary:
        """Create a dictionary (``POST /v2/pronunciation-dictionaries``, 201).

        Args:
            params: A :class:`~tavus_async.models.PronunciationDictionaryCreate` or a dict.
            extra_body: Fields this SDK does not model, sent as given.
            timeout: Seconds for this call (instead of the client's ``timeout``).
            extra_headers: Headers added to this call.
            extra_query: Query parameters added to this call.
            **fields: ``name`` (required) and ``rules`` (dicts or
                :class:`~tavus_async.models.PronunciationRule`).

        Raises:
            ValueError: No ``name``, a rule missing ``text``/``pronunciation``/``type``, an
                unknown field or a wrong type.
            BadRequestError: Tavus rejected it (e.g. duplicate rule texts).
        """
        body = build_request(PronunciationDictionaryCreate, params, fields, extra_body=extra_body)
        return await self._request(
            "POST",
            self._path,
            cast_to=PronunciationDictionary,
            json=body,
            options=call_options(timeout, extra_headers, extra_query),
        )

    async def get(
        self, dictionary_id: str, **options: Unpack[RequestOptions]
    ) -> PronunciationDictionary:
        """Fetch one dictionary with its rules.

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such dictionary.
        """
        did = require_id("dictionary_id", dictionary_id)
        return await self._request(
            "GET", f"{self._path}/{did}", cast_to=PronunciationDictionary, options=options
        )

    async def patch(
        self,
        dictionary_id: str,
        operations: Patch | Iterable[PatchOp | Mapping[str, Any]],
        **options: Unpack[RequestOptions],
    ) -> PatchResult[PronunciationDictionary]:
        """Update ``/name`` or ``/rules`` with a JSON Patch.

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Returns:
            ``changed`` (False on 304) and ``resource``, the updated dictionary.

        Raises:
            ValueError: An empty id or an invalid operation (before any request).
            UnprocessableEntityError: Tavus rejected the patch.
            NotFoundError: No such dictionary.
        """
        did = require_id("dictionary_id", dictionary_id)
        return await self._json_patch(
            f"{self._path}/{did}",
            operations,
            _dictionary,
            "pronunciation dictionary",
            options=options,
        )

    async def delete(self, dictionary_id: str, **options: Unpack[RequestOptions]) -> None:
        """Delete a dictionary (it is also detached from personas).

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such dictionary.
        """
        did = require_id("dictionary_id", dictionary_id)
        await self._request_none("DELETE", f"{self._path}/{did}", options=options)

    def list(
        self,
        *,
        sort: str | None = None,
        page: int | None = None,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[PronunciationDictionary]:
        """List dictionaries (pages count from **0**; items carry ``rules_count``, not rules).

        Args:
            sort: ``desc`` (default, newest first) or ``asc``.
            page: The first page to fetch (default 0).
            limit: Page size (1-100).
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.
        """
        if limit is not None and isinstance(limit, int) and limit > 100:
            raise InvalidInputError(f"limit must be between 1 and 100, got {limit}")
        return self._paginate(
            self._path,
            item_type=PronunciationDictionary,
            params={"sort": sort},
            page=page,
            limit=limit,
            options=options,
        )


def _dictionary(raw: Any) -> PronunciationDictionary | None:
    if isinstance(raw, dict) and "pronunciation_dictionary_id" in raw:
        return msgspec.convert(raw, PronunciationDictionary, strict=False)
    return None
