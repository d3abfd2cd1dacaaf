"""The shape objectives and guardrails share: named sets of items, edited with JSON Patch.

Both endpoints answer the same way (``data`` as an object or a list, 404 for unknown ids,
JSON Patch with 304 for "no change"), so one generic class serves both; each resource module
only names its path, id field and models.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, Generic, TypeVar

from typing_extensions import Unpack

from .._http import RequestOptions
from .._pagination import AsyncPaginator
from ..models._common import RequestModel, build_request
from ..models.patch import Patch, PatchOp, PatchResult
from ._base import AsyncAPIResource, require_id
from ._shared import decode_with

__all__ = ["PatchableSetResource"]

S = TypeVar("S")


class PatchableSetResource(AsyncAPIResource, Generic[S]):
    """Create, get, list, patch and delete sets under one path."""

    _what: ClassVar[str]
    _create_model: ClassVar[type[RequestModel]]
    _model: ClassVar[type[Any]]
    _convert: ClassVar[Callable[[Any, str | None], Any]]

    def _decode(self, raw: Any, set_id: str | None = None) -> S:
        result: S = type(self)._convert(raw, set_id)
        return result

    async def _create(
        self,
        params: Any,
        fields: Mapping[str, Any],
        extra_body: Mapping[str, Any] | None,
        options: RequestOptions,
    ) -> S:
        """``POST`` a new set; each resource's typed ``create`` calls this."""
        body = build_request(self._create_model, params, fields, extra_body=extra_body)
        resp = await self._request_response("POST", self._path, json=body, options=options)
        return decode_with(resp, self._decode, self._what)

    async def get(self, set_id: str, **options: Unpack[RequestOptions]) -> S:
        """Fetch one set (``data`` as an object or a list are both accepted).

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such set.
        """
        sid = require_id(self._id_name, set_id)
        resp = await self._request_response("GET", f"{self._path}/{sid}", options=options)
        return decode_with(resp, lambda raw: self._decode(raw, sid), self._what)

    async def patch(
        self,
        set_id: str,
        operations: Patch | Iterable[PatchOp | Mapping[str, Any]],
        **options: Unpack[RequestOptions],
    ) -> PatchResult[S]:
        """Update a set with a JSON Patch (paths like ``/data/0/<field>``).

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Returns:
            ``changed`` is False when Tavus answered 304.

        Raises:
            ValueError: An empty id or an invalid operation (before any request).
            BadRequestError: Tavus rejected the patch.
            NotFoundError: No such set.
        """
        sid = require_id(self._id_name, set_id)
        return await self._json_patch(f"{self._path}/{sid}", operations, options=options)

    async def delete(self, set_id: str, **options: Unpack[RequestOptions]) -> None:
        """Delete a set.

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such set.
        """
        sid = require_id(self._id_name, set_id)
        await self._request_none("DELETE", f"{self._path}/{sid}", options=options)

    def list(
        self,
        *,
        sort: str | None = None,
        name_or_uuid: str | None = None,
        page: int | None = None,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[S]:
        """List sets (pages count from 1).

        Args:
            sort: ``ascending`` or ``descending``.
            name_or_uuid: Match on name or id.
            page: The first page to fetch (default 1).
            limit: Page size.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.
        """
        return self._paginate(
            self._path,
            item_type=self._model,
            params={"sort": sort, "name_or_uuid": name_or_uuid},
            page=page,
            limit=limit,
            convert=self._decode,
            options=options,
        )
