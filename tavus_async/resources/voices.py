"""The ``voices`` resource: ``/v2/voices`` (stock voices and the 2026 voice object)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import Any

from typing_extensions import Unpack

from .._http import RequestOptions
from .._pagination import AsyncPaginator
from ..errors import InvalidInputError, InvalidTypeError
from ..models._common import build_request
from ..models._params import VoiceCreateParams
from ..models.voices import Voice, VoiceCreate, VoiceUpdate
from ._base import AsyncAPIResource, call_options, require_id

__all__ = ["Voices"]


class Voices(AsyncAPIResource):
    """Voices: the stock list, and voices you make from a recording (``voice_id``).

    Pass a ``voice_id`` as ``layers.tts.voice_id`` (or a face's ``default_voice_id``); pass a
    stock ``voice_name`` to ``replicas.create(train_image_url=...)``.

    Example::

        voice = await tavus.voices.create(
            voice_name="Narrator", audio_url="https://example.com/sample.mp3"
        )
        voice = await tavus.voices.get(voice.voice_id)   # "started", then "completed"
    """

    def list(
        self,
        *,
        search: str | None = None,
        sort: str | None = None,
        tag: str | None = None,
        page: int | None = None,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Voice]:
        """List voices (``GET /v2/voices``; pages count from 1, at most 100 per page).

        Args:
            search: Case-insensitive substring of ``voice_name``.
            sort: ``asc`` (default) or ``desc`` by name.
            tag: Only voices with this tag.
            page: The first page to fetch (default 1).
            limit: Page size (1-100).
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.
        """
        if limit is not None and isinstance(limit, int) and limit > 100:
            raise InvalidInputError(f"limit must be between 1 and 100 for voices, got {limit}")
        return self._paginate(
            self._path,
            item_type=Voice,
            params={"search": search, "sort": sort, "tag": tag},
            page=page,
            limit=limit or 100,
            options=options,
        )

    async def create(
        self,
        params: VoiceCreate | VoiceCreateParams | Mapping[str, Any] | None = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **fields: Unpack[VoiceCreateParams],
    ) -> Voice:
        """Make a voice from a recording (``POST /v2/voices``); it starts as ``started``.

        Args:
            params: A :class:`~tavus_async.models.VoiceCreate` or a dict of its fields.
            extra_body: Fields this SDK does not model, sent as given.
            timeout: Seconds for this call (instead of the client's ``timeout``).
            extra_headers: Headers added to this call.
            extra_query: Query parameters added to this call.
            **fields: ``voice_name`` and ``audio_url`` (required), ``description``,
                ``callback_url``.

        Raises:
            InvalidInputError: A name outside 1-255 characters, a URL over 2,048, a description over
                1,000, an unknown field (before any request).
            BadRequestError: Tavus rejected it (an audio format it cannot read...).
        """
        body = build_request(VoiceCreate, params, fields, extra_body=extra_body)
        return await self._request(
            "POST",
            self._path,
            cast_to=Voice,
            json=body,
            options=call_options(timeout, extra_headers, extra_query),
        )

    async def get(self, voice_id: str, **options: Unpack[RequestOptions]) -> Voice:
        """Fetch one voice by its ``voice_id``.

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            InvalidInputError: An empty id.
            NotFoundError: No such voice.
        """
        vid = require_id("voice_id", voice_id)
        return await self._request("GET", f"{self._path}/{vid}", cast_to=Voice, options=options)

    async def update(
        self,
        voice_id: str,
        *,
        voice_name: str | None = None,
        description: str | None = None,
        tags: Sequence[str] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Voice:
        """Rename, describe or retag a voice you made (``PATCH /v2/voices/{voice_id}``).

        Args:
            voice_id: Its id.
            voice_name: A new name (1-255 characters).
            description: A new description (at most 1,000).
            tags: The new tags, replacing the list (at most 50 of at most 64 characters).
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body`` (fields this SDK does not
                model, sent as given).

        Raises:
            InvalidInputError: An empty id, nothing to change or a field over its limit.
            NotFoundError: No such voice.
        """
        vid = require_id("voice_id", voice_id)
        if isinstance(tags, str):
            raise InvalidTypeError("tags must be a list of strings, not one string")
        fields: dict[str, Any] = {
            k: v
            for k, v in (("voice_name", voice_name), ("description", description))
            if v is not None
        }
        if tags is not None:
            fields["tags"] = builtins.list(tags)
        body = build_request(VoiceUpdate, None, fields)
        if not body and not options.get("extra_body"):
            raise InvalidInputError("nothing to update: give voice_name, description and/or tags")
        return await self._request(
            "PATCH", f"{self._path}/{vid}", cast_to=Voice, json=body, options=options
        )
