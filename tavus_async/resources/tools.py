"""The ``tools`` resource (``/v2/tools``) and a PAL's attached tools (``/v2/pals/{id}/tools``)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import msgspec
from typing_extensions import Unpack

from .._http import RequestOptions
from .._pagination import AsyncPaginator
from ..errors import InvalidInputError
from ..models._common import build_request
from ..models._params import ToolCreateParams, ToolUpdateParams
from ..models.tools import (
    MAX_PAL_TOOLS,
    AccountTool,
    PalToolsAttach,
    ToolCreate,
    ToolDefinitionError,
    ToolUpdate,
    validate_tool,
)
from ._base import AsyncAPIResource, call_options, require_id

__all__ = ["PalTools", "Tools"]


class _AttachedTools(msgspec.Struct):
    data: list[AccountTool] = []


class Tools(AsyncAPIResource):
    """The account's tools registry: tools defined once and attached to PALs by id.

    Each tool is delivered on one channel: an app message in the room (the default), or an
    HTTPS request from Tavus (``delivery.api``). Build the body from a Python function with
    :meth:`tavus_async.tools.ToolRegistry.tool_params`, or sync a whole registry with
    :func:`tavus_async.tools.sync_tools`.

    Example::

        from tavus_async.models.tools import ApiDelivery, AuthHmac

        tool = await tavus.tools.create(
            name="lookup_order",
            description="Look up an order's shipping status.",
            parameters={"type": "object", "properties": {"order_id": {"type": "string"}},
                        "required": ["order_id"]},
            delivery={"api": ApiDelivery(url="https://api.example.com/tavus/tools",
                                         auth=AuthHmac(secret=secret))},
            on_resolve="generate_response",
        )
        await tavus.pals.tools.attach(pal_id, [tool.tool_id])
    """

    async def create(
        self,
        params: ToolCreate | ToolCreateParams | Mapping[str, Any] | None = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **fields: Unpack[ToolCreateParams],
    ) -> AccountTool:
        """Create a tool (``POST /v2/tools``).

        Args:
            params: A :class:`~tavus_async.models.tools.ToolCreate` or a dict of its fields.
            extra_body: Fields this SDK does not model, sent as given.
            timeout: Seconds for this call (instead of the client's ``timeout``).
            extra_headers: Headers added to this call.
            extra_query: Query parameters added to this call.
            **fields: The fields of :class:`~tavus_async.models.tools.ToolCreate`.

        Returns:
            The new tool (secrets shown as ``********``).

        Raises:
            ToolDefinitionError: A body Tavus documents as invalid (both or neither delivery
                channel, a timeout over 60 s, a placeholder in the hostname...); names the field.
            ValueError: An unknown field or a wrong type.
            BadRequestError: Tavus refused the tool (a duplicate name, a private host...).
        """
        body = build_request(ToolCreate, params, fields, extra_body=extra_body)
        validate_tool(body, creating=True)
        return await self._request(
            "POST",
            self._path,
            cast_to=AccountTool,
            json=body,
            options=call_options(timeout, extra_headers, extra_query),
        )

    async def get(self, tool_id: str, **options: Unpack[RequestOptions]) -> AccountTool:
        """Fetch one tool, a user or a system tool (``GET /v2/tools/{id}``).

        Args:
            tool_id: The tool (``t...``, or ``end_call``).
            **options: Per-call options (:class:`~tavus_async.RequestOptions`).

        Raises:
            ValueError: An empty id.
            BadRequestError: No such tool (Tavus answers 400 "Tool not found").
        """
        tid = require_id("tool_id", tool_id)
        return await self._request(
            "GET", f"{self._path}/{tid}", cast_to=AccountTool, options=options
        )

    def list(
        self,
        *,
        tool_type: Literal["user", "system", "all"] | None = None,
        sort: Literal["asc", "desc"] | None = None,
        name_or_uuid: str | None = None,
        page: int | None = None,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[AccountTool]:
        """List tools (``GET /v2/tools``; pages count from 1).

        Args:
            tool_type: ``user`` (default), ``system`` (``end_call``) or ``all`` (sent as
                ``type``).
            sort: By ``created_at``: ``asc`` (default) or ``desc``.
            name_or_uuid: A case-insensitive part of the name, or an exact tool id.
            page: The first page to fetch (default 1).
            limit: Page size.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`).
        """
        return self._paginate(
            self._path,
            item_type=AccountTool,
            params={"type": tool_type, "sort": sort, "name_or_uuid": name_or_uuid},
            page=page,
            limit=limit,
            options=options,
        )

    async def update(
        self,
        tool_id: str,
        params: ToolUpdate | ToolUpdateParams | Mapping[str, Any] | None = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **fields: Unpack[ToolUpdateParams],
    ) -> AccountTool:
        """Change some fields of a tool (``PATCH /v2/tools/{id}``, plain JSON, not JSON Patch).

        Only the fields given change; ``delivery`` replaces the whole object. To keep a stored
        secret, leave it out of ``auth`` (sending ``********`` back is refused).

        Raises:
            ToolDefinitionError: A change Tavus documents as invalid; names the field.
            ValueError: An empty id, an unknown field or a wrong type.
            BadRequestError: Tavus refused it (a system tool, an unknown id...).
        """
        tid = require_id("tool_id", tool_id)
        body = build_request(ToolUpdate, params, fields, extra_body=extra_body)
        if not body:
            raise ToolDefinitionError("fields", "give at least one field to change")
        validate_tool(body, creating=False)
        return await self._request(
            "PATCH",
            f"{self._path}/{tid}",
            cast_to=AccountTool,
            json=body,
            options=call_options(timeout, extra_headers, extra_query),
        )

    async def delete(self, tool_id: str, **options: Unpack[RequestOptions]) -> None:
        """Delete a tool (``DELETE /v2/tools/{id}``, 204); Tavus detaches it from every PAL.

        Raises:
            ValueError: An empty id.
            BadRequestError: A system tool, or no such tool.
        """
        tid = require_id("tool_id", tool_id)
        await self._request_none("DELETE", f"{self._path}/{tid}", options=options)


class PalTools(AsyncAPIResource):
    """The registry tools attached to a PAL (``tavus.pals.tools``, ``/v2/pals/{pal_id}/tools``).

    Example::

        await tavus.pals.tools.attach(pal_id, [tool.tool_id])   # idempotent
        attached = await tavus.pals.tools.list(pal_id)
        await tavus.pals.tools.detach(pal_id, tool.tool_id)
    """

    def _base(self, pal_id: str) -> str:
        return self._path.replace("{pal_id}", require_id("pal_id", pal_id))

    async def attach(
        self, pal_id: str, tool_ids: str | Iterable[str], **options: Unpack[RequestOptions]
    ) -> builtins.list[AccountTool]:
        """Attach tools to a PAL (``POST /v2/pals/{id}/tools``); re-attaching is a no-op.

        Args:
            pal_id: The PAL.
            tool_ids: A tool id, or 1 to 50 of them.

        Returns:
            The tools named in the request, as attached.

        Raises:
            InvalidInputError: An empty id, or not 1 to 50 tool ids (before any request).
            BadRequestError: An unknown PAL or tool, or over 50 tools attached.
        """
        base = self._base(pal_id)
        ids = [tool_ids] if isinstance(tool_ids, str) else list(tool_ids)
        ids = [require_id("tool_id", t) for t in ids]
        if not 1 <= len(ids) <= MAX_PAL_TOOLS:
            raise InvalidInputError(f"tool_ids: give 1 to {MAX_PAL_TOOLS} tool ids, got {len(ids)}")
        body = build_request(PalToolsAttach, {"tool_ids": ids}, {})
        result = await self._request(
            "POST", base, cast_to=_AttachedTools, json=body, options=options
        )
        return result.data

    async def list(
        self, pal_id: str, **options: Unpack[RequestOptions]
    ) -> builtins.list[AccountTool]:
        """The registry tools attached to a PAL (``GET /v2/pals/{id}/tools``; not paginated).

        Inline ``layers.llm.tools`` and the system tool ``end_call`` are not included.
        """
        result = await self._request(
            "GET", self._base(pal_id), cast_to=_AttachedTools, options=options
        )
        return result.data

    async def detach(self, pal_id: str, tool_id: str, **options: Unpack[RequestOptions]) -> None:
        """Detach a tool from a PAL (``DELETE /v2/pals/{id}/tools/{tool_id}``, 204).

        Raises:
            InvalidInputError: An empty id.
            BadRequestError: An unknown PAL or tool, or a tool that is not attached.
        """
        tid = require_id("tool_id", tool_id)
        await self._request_none("DELETE", f"{self._base(pal_id)}/{tid}", options=options)
