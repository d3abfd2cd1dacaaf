"""What every resource shares: its request core, its catalog row and small request helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from .._http import APIResponse, RequestOptions, invalid_response, require_id
from .._pagination import DEFAULT_PAGE_SIZE, AsyncPage, AsyncPaginator
from .._raw_response import RawResponseDescriptor
from ..errors import InvalidInputError
from ..models.patch import Patch, PatchOp, PatchResult, normalize_patch
from ._shared import patch_result

if TYPE_CHECKING:
    from .._catalog import ResourceDef
    from .._http import HTTPCore
    from ._raw import WithRawResponse
else:
    # The generated descriptor only adds the per-resource types of its answers (overloads).
    WithRawResponse = RawResponseDescriptor

__all__ = ["AsyncAPIResource", "call_options", "require_id"]

T = TypeVar("T")


class _ListBody(msgspec.Struct):
    # Tavus's list envelope; unknown keys (page, limit) are ignored by msgspec.
    data: list[Any] | None = None
    total_count: int | None = None


_typed_list_bodies: dict[Any, Any] = {}


def _typed_list_body(item_type: Any) -> Any:
    """A list envelope whose items decode straight into ``item_type`` (one pass, no convert)."""
    body = _typed_list_bodies.get(item_type)
    if body is None:
        body = msgspec.defstruct(
            f"_ListOf{getattr(item_type, '__name__', 'Item')}",
            [("data", list[item_type] | None, None), ("total_count", int | None, None)],
        )
        _typed_list_bodies[item_type] = body
    return body


def call_options(
    timeout: float | None = None,
    extra_headers: Mapping[str, str] | None = None,
    extra_query: Mapping[str, Any] | None = None,
) -> RequestOptions:
    """The :class:`RequestOptions` of a create method's explicit keyword arguments.

    Creates take their body fields as ``**fields``, so their per-call options are named
    parameters; the body's ``extra_body`` is merged by ``build_request`` itself.
    """
    options: RequestOptions = {}
    if timeout is not None:
        options["timeout"] = timeout
    if extra_headers is not None:
        options["extra_headers"] = extra_headers
    if extra_query is not None:
        options["extra_query"] = extra_query
    return options


class AsyncAPIResource:
    """Base class of the resource namespaces (``tavus.personas``, ``tavus.replicas``...).

    Args:
        http: The request core of the client the namespace belongs to.
        row: The resource's catalog row (:mod:`tavus_async._catalog`): its path, id field and
            page base live there and nowhere else.
    """

    def __init__(self, http: HTTPCore, row: ResourceDef) -> None:
        self._http = http
        self._row = row
        self._path = row.path
        self._id_name = row.id_field
        self._page_base = row.page_base

    #: This resource's methods, each returning a :class:`~tavus_async.RawResponse`
    #: (status, headers, request id, ``.parse()``) with the same parameters, typed.
    #:
    #: Example::
    #:
    #:     raw = await tavus.personas.with_raw_response.get(pid, timeout=5)
    #:     print(raw.status_code, raw.headers["content-type"], raw.request_id)
    #:     persona = raw.parse()
    with_raw_response = WithRawResponse()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        options: RequestOptions | None = None,
    ) -> T:
        return await self._http.request(
            method,
            path,
            cast_to=cast_to,
            params=params,
            json=json,
            idempotent=idempotent,
            options=options,
        )

    async def _request_none(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        options: RequestOptions | None = None,
    ) -> None:
        await self._http.request(
            method,
            path,
            cast_to=None,
            params=params,
            json=json,
            idempotent=idempotent,
            options=options,
        )

    async def _request_response(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        options: RequestOptions | None = None,
    ) -> APIResponse:
        return await self._http.request_response(
            method, path, params=params, json=json, idempotent=idempotent, options=options
        )

    async def _json_patch(
        self,
        path: str,
        operations: Patch | Iterable[PatchOp | Mapping[str, Any]],
        convert: Callable[[Any], T | None] | None = None,
        what: str = "",
        options: RequestOptions | None = None,
    ) -> PatchResult[T]:
        """Validate ``operations``, send them as ``PATCH path`` and read the result.

        Args:
            path: The resource's own path (its id already checked).
            operations: A :class:`Patch` or a list of operations, validated before sending.
            convert: Decodes the updated resource, for endpoints that return it.
            what: The resource's name, for error messages.
            options: The call's per-call options.
        """
        ops = [op.to_dict() for op in normalize_patch(operations)]
        resp = await self._request_response("PATCH", path, json=ops, options=options)
        return patch_result(resp, convert, what)

    def _paginate(
        self,
        path: str,
        *,
        item_type: type[T],
        params: Mapping[str, Any] | None = None,
        page: int | None = None,
        limit: int | None = None,
        convert: Callable[[Any], T] | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncPaginator[T]:
        """Build a paginator over ``GET path`` (``page`` counts from the row's page base).

        Args:
            path: The list endpoint.
            item_type: The model of one item.
            params: Extra filters (None values are left out).
            page: The first page to fetch; defaults to ``first_page``.
            limit: Page size; defaults to 100.
            convert: A custom conversion of one raw item, for items with several shapes.
            options: Per-call options, applied to every page's request.
        """
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            raise InvalidInputError(f"limit must be a positive integer, got {limit!r}")
        first_page = self._page_base
        start = first_page if page is None else page
        if not isinstance(start, int) or start < first_page:
            raise InvalidInputError(
                f"page must be an integer >= {first_page} for {path}, got {page!r}"
            )
        size = limit or DEFAULT_PAGE_SIZE
        extra = dict(params or {})
        http = self._http

        def to_item(raw: Any) -> T:
            assert convert is not None
            return convert(raw)

        async def fetch(page_no: int, page_size: int) -> AsyncPage[T]:
            resp = await http.request_response(
                "GET", path, params={**extra, "page": page_no, "limit": page_size}, options=options
            )
            if convert is None:
                typed = resp.parse(_typed_list_body(item_type))
                return AsyncPage(
                    data=list(typed.data or []),
                    total_count=typed.total_count,
                    page=page_no,
                    limit=page_size,
                    _fetch=fetch,
                    _first_page=first_page,
                )
            body = resp.parse(_ListBody)
            try:
                items = [to_item(raw) for raw in body.data or []]
            except msgspec.ValidationError as exc:
                raise invalid_response(
                    resp, f"an item does not match {item_type.__name__}: {exc}"
                ) from exc
            return AsyncPage(
                data=items,
                total_count=body.total_count,
                page=page_no,
                limit=page_size,
                _fetch=fetch,
                _first_page=first_page,
            )

        return AsyncPaginator(fetch, page=start, limit=size, first_page=first_page)
