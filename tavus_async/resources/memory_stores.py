"""The ``memory_stores`` resource: ``/v2/memory-stores`` (what a PAL remembers of someone)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import Any

from typing_extensions import Unpack

from .._http import RequestOptions
from .._pagination import AsyncPaginator
from ..errors import InvalidInputError, InvalidTypeError
from ..models._common import build_request
from ..models._params import MemoryStoreCreateParams
from ..models.memory_stores import MemoryStore, MemoryStoreCreate, MemoryStoreUpdate
from ._base import call_options, require_id
from ._verbs import Deleting, Fetching

__all__ = ["MemoryStores"]


class MemoryStores(Fetching[MemoryStore], Deleting):
    """Memory stores: one per PAL and participant tag, holding pinned and learned memories.

    Tavus makes a store by itself when a conversation passes ``participant_tags=[tag]``;
    ``create`` is for pinning memories before the first call (a second active store for the
    same PAL and tag is refused). The edit and delete methods are not in Tavus's stored docs:
    ``update`` is a plain PATCH and ``delete`` a DELETE, this SDK's reading.

    Example::

        store = await tavus.memory_stores.create(
            pal_id=pid, participant_tag="user-42", pinned_memories=["Prefers French"]
        )
    """

    async def create(
        self,
        params: MemoryStoreCreate | MemoryStoreCreateParams | Mapping[str, Any] | None = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **fields: Unpack[MemoryStoreCreateParams],
    ) -> MemoryStore:
        """Create a memory store (``POST /v2/memory-stores``).

        Args:
            params: A :class:`~tavus_async.models.MemoryStoreCreate` or a dict of its fields.
            extra_body: Fields this SDK does not model, sent as given.
            timeout: Seconds for this call (instead of the client's ``timeout``).
            extra_headers: Headers added to this call.
            extra_query: Query parameters added to this call.
            **fields: The fields of :class:`~tavus_async.models.MemoryStoreCreate`
                (``pal_id``, ``participant_tag``, ``pinned_memories``).

        Raises:
            InvalidInputError: An unknown field or a wrong type (before any request).
            ConflictError: The PAL already has an active store for that tag.
        """
        body = build_request(MemoryStoreCreate, params, fields, extra_body=extra_body)
        return await self._request(
            "POST",
            self._path,
            cast_to=MemoryStore,
            json=body,
            options=call_options(timeout, extra_headers, extra_query),
        )

    def list(
        self,
        *,
        pal_id: str | None = None,
        participant_tag: str | None = None,
        page: int | None = None,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[MemoryStore]:
        """List memory stores (``GET /v2/memory-stores``; pages count from 1).

        Args:
            pal_id: Only this PAL's.
            participant_tag: Only this participant's.
            page: The first page to fetch (default 1).
            limit: Page size.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.
        """
        return self._paginate(
            self._path,
            item_type=MemoryStore,
            params={"pal_id": pal_id, "participant_tag": participant_tag},
            page=page,
            limit=limit,
            options=options,
        )

    async def update(
        self,
        memory_store_id: str,
        *,
        pinned_memories: Sequence[str] | None = None,
        **options: Unpack[RequestOptions],
    ) -> MemoryStore:
        """Replace a store's pinned memories (``PATCH /v2/memory-stores/{id}``).

        Args:
            memory_store_id: The store's id.
            pinned_memories: The new list (replaces the old one).
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body`` (fields this SDK does not
                model, sent as given).

        Raises:
            InvalidInputError: An empty id or nothing to change.
            PermissionDeniedError: The store is another account's.
            NotFoundError: No such store.
        """
        sid = require_id("memory_store_id", memory_store_id)
        if isinstance(pinned_memories, str):
            raise InvalidTypeError("pinned_memories must be a list of strings, not one string")
        fields: dict[str, Any] = {}
        if pinned_memories is not None:
            fields["pinned_memories"] = builtins.list(pinned_memories)
        body = build_request(MemoryStoreUpdate, None, fields)
        if not body and not options.get("extra_body"):
            raise InvalidInputError("nothing to update: give pinned_memories")
        return await self._request(
            "PATCH", f"{self._path}/{sid}", cast_to=MemoryStore, json=body, options=options
        )
