"""The ``deployments`` resource: ``/v2/deployments`` (a PAL as a landing page, embed or widget)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import msgspec
from typing_extensions import Unpack

from .._http import APIResponse, RequestOptions
from .._pagination import AsyncPage, AsyncPaginator
from ..errors import InvalidInputError
from ..models._common import build_request
from ..models._params import DeploymentCreateParams, DeploymentStartParams
from ..models.conversations import Conversation
from ..models.deployments import (
    Deployment,
    DeploymentConversationEnd,
    DeploymentCreate,
    DeploymentInit,
    DeploymentStart,
)
from ..models.patch import Patch, PatchOp, PatchResult, normalize_patch
from ._base import AsyncAPIResource, call_options, require_id
from ._shared import patch_result

__all__ = ["Deployments"]

#: Tavus's page size for deployments when none is given.
_DEFAULT_LIMIT = 20


class _DeploymentPage(msgspec.Struct):
    # The odd envelope of this one list: {deployments, total, page, limit}.
    deployments: list[Deployment] | None = None
    total: int | None = None


def _csv(values: str | Sequence[str] | None) -> str | None:
    if values is None or isinstance(values, str):
        return values
    return ",".join(values)


def _with_etag(deployment: Deployment, resp: APIResponse) -> Deployment:
    etag = resp.headers.get("ETag")
    return msgspec.structs.replace(deployment, etag=etag) if etag else deployment


class Deployments(AsyncAPIResource):
    """Deployments: put a PAL in front of the public, with optional password, origins and caps.

    ``create``, ``get`` (with its ``ETag`` in :attr:`Deployment.etag`), ``list`` (pages count
    from **0**, 20 per page by default, newest first), ``patch`` (JSON Patch, optionally guarded
    by ``if_match``) and ``delete`` need the API key. ``init``, ``start`` and
    ``end_conversation`` are the public calls a visitor's page makes: the key is not sent.

    Example::

        dep = await tavus.deployments.create(pal_id=pid, channel="widget", allowed_origins=[])
        dep = await tavus.deployments.get(dep.deployment_id)
        await tavus.deployments.patch(
            dep.deployment_id, Patch().replace("/name", "Support"), if_match=dep.etag
        )
    """

    async def create(
        self,
        params: DeploymentCreate | DeploymentCreateParams | Mapping[str, Any] | None = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **fields: Unpack[DeploymentCreateParams],
    ) -> Deployment:
        """Create a deployment (``POST /v2/deployments``, 200 "Deployment created").

        Args:
            params: A :class:`~tavus_async.models.DeploymentCreate` or a dict of its fields.
            extra_body: Fields this SDK does not model, sent as given.
            timeout: Seconds for this call (instead of the client's ``timeout``).
            extra_headers: Headers added to this call.
            extra_query: Query parameters added to this call.
            **fields: Its fields (``pal_id`` and ``channel`` are required).

        Returns:
            The deployment (``has_password``, never the password).

        Raises:
            InvalidInputError: No ``pal_id``, an unknown ``channel`` or ``status``, a limit
                below 1, an unknown field (before any request).
            BadRequestError: Tavus rejected it (an unknown PAL...).
        """
        body = build_request(DeploymentCreate, params, fields, extra_body=extra_body)
        return await self._request(
            "POST",
            self._path,
            cast_to=Deployment,
            json=body,
            options=call_options(timeout, extra_headers, extra_query),
        )

    async def get(self, deployment_id: str, **options: Unpack[RequestOptions]) -> Deployment:
        """Fetch a deployment, with the answer's ``ETag`` in :attr:`Deployment.etag`.

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            InvalidInputError: An empty id.
            NotFoundError: No such deployment.
        """
        did = require_id("deployment_id", deployment_id)
        resp = await self._request_response("GET", f"{self._path}/{did}", options=options)
        return _with_etag(resp.parse(Deployment), resp)

    def list(
        self,
        *,
        pal_id: str | None = None,
        search: str | None = None,
        status: str | Sequence[str] | None = None,
        channel: str | Sequence[str] | None = None,
        sort: str | None = None,
        page: int | None = None,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Deployment]:
        """List deployments (``GET /v2/deployments``; pages count from **0**, newest first).

        Args:
            pal_id: Only this PAL's.
            search: Text in the name.
            status: One status or several (sent comma-separated).
            channel: One channel or several.
            sort: ``desc`` (Tavus's default) or ``asc`` by creation time.
            page: The first page to fetch (default 0).
            limit: Page size (Tavus's default 20).
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            InvalidInputError: A page below 0 or a limit below 1.
        """
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 1
        ):
            raise InvalidInputError(f"limit must be a positive integer, got {limit!r}")
        start = self._page_base if page is None else page
        if isinstance(start, bool) or not isinstance(start, int) or start < self._page_base:
            raise InvalidInputError(f"page must be an integer >= {self._page_base}, got {page!r}")
        filters = {
            "pal_id": pal_id,
            "search": search,
            "status": _csv(status),
            "channel": _csv(channel),
            "sort": sort,
        }
        first = self._page_base

        async def fetch(page_no: int, page_size: int) -> AsyncPage[Deployment]:
            resp = await self._request_response(
                "GET",
                self._path,
                params={**filters, "page": page_no, "limit": page_size},
                options=options,
            )
            body = resp.parse(_DeploymentPage)
            return AsyncPage(
                data=list(body.deployments or []),
                total_count=body.total,
                page=page_no,
                limit=page_size,
                _fetch=fetch,
                _first_page=first,
            )

        return AsyncPaginator(fetch, page=start, limit=limit or _DEFAULT_LIMIT, first_page=first)

    async def patch(
        self,
        deployment_id: str,
        operations: Patch | Iterable[PatchOp | Mapping[str, Any]],
        *,
        if_match: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> PatchResult[Deployment]:
        """Change a deployment with a JSON Patch (``/name``, ``/status``, ``/limits/...``).

        Args:
            deployment_id: Its id.
            operations: The operations, validated before sending.
            if_match: The ``etag`` of the deployment as you read it: Tavus refuses the change
                (412) when it changed since.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Returns:
            The updated deployment in ``resource`` (with its new ``etag``).

        Raises:
            InvalidInputError: An empty id or an invalid operation.
            PreconditionFailedError: ``if_match`` is not the current ETag (someone changed it).
            NotFoundError: No such deployment.
        """
        did = require_id("deployment_id", deployment_id)
        ops = [op.to_dict() for op in normalize_patch(operations)]
        headers = {"If-Match": if_match} if if_match else None
        resp = await self._http.request_response(
            "PATCH",
            f"{self._path}/{did}",
            json=ops,
            headers=headers,
            options=options,
        )

        def convert(raw: Any) -> Deployment:
            return _with_etag(msgspec.convert(raw, Deployment, strict=False), resp)

        return patch_result(resp, convert, "deployment")

    async def delete(self, deployment_id: str, **options: Unpack[RequestOptions]) -> None:
        """Delete a deployment.

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            InvalidInputError: An empty id.
            NotFoundError: No such deployment.
        """
        did = require_id("deployment_id", deployment_id)
        await self._request_none("DELETE", f"{self._path}/{did}", options=options)

    async def init(
        self, deployment_id: str, *, origin: str | None = None, **options: Unpack[RequestOptions]
    ) -> DeploymentInit:
        """What a public page loads first (``GET /v2/deployments/{id}/init``; no API key).

        Args:
            deployment_id: The deployment's id.
            origin: The ``Origin`` the page runs on (checked against ``allowed_origins``).
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Returns:
            Its public settings and whether a call can start now (never its PAL id).

        Raises:
            InvalidInputError: An empty id.
            NotFoundError: No such deployment.
        """
        did = require_id("deployment_id", deployment_id)
        resp = await self._http.request_response(
            "GET",
            f"{self._path}/{did}/init",
            headers=_origin(origin),
            authenticated=False,
            options=options,
        )
        return resp.parse(DeploymentInit)

    async def start(
        self,
        deployment_id: str,
        params: DeploymentStart | DeploymentStartParams | Mapping[str, Any] | None = None,
        /,
        *,
        origin: str | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **fields: Unpack[DeploymentStartParams],
    ) -> Conversation:
        """Start a visitor's call (``POST /v2/deployments/{id}/start``; no API key).

        Args:
            deployment_id: The deployment's id.
            params: A :class:`~tavus_async.models.DeploymentStart` or a dict of its fields.
            origin: The ``Origin`` the page runs on.
            timeout: Seconds for this call (instead of the client's ``timeout``).
            extra_headers: Headers added to this call.
            extra_query: Query parameters added to this call.
            **fields: ``password``, ``conversational_context``, ``custom_greeting``...

        Returns:
            The new conversation, as ``conversations.create`` returns it.

        Raises:
            InvalidInputError: An empty id or an unknown field.
            PermissionDeniedError: A wrong password or an origin not allowed.
            ConflictError: The deployment is not active or a limit was reached.
        """
        did = require_id("deployment_id", deployment_id)
        body = build_request(DeploymentStart, params, fields)
        resp = await self._http.request_response(
            "POST",
            f"{self._path}/{did}/start",
            json=body,
            headers=_origin(origin),
            authenticated=False,
            options=call_options(timeout, extra_headers, extra_query),
        )
        return resp.parse(Conversation)

    async def end_conversation(
        self,
        deployment_id: str,
        conversation_id: str,
        *,
        origin: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> DeploymentConversationEnd:
        """End a visitor's call (``POST .../{id}/conversations/{conversation_id}/end``; no
        API key).

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            InvalidInputError: An empty id.
            NotFoundError: No such deployment, or the conversation is not one of its calls.
        """
        did = require_id("deployment_id", deployment_id)
        cid = require_id("conversation_id", conversation_id)
        resp = await self._http.request_response(
            "POST",
            f"{self._path}/{did}/conversations/{cid}/end",
            headers=_origin(origin),
            authenticated=False,
            idempotent=True,  # ending an ended call changes nothing
            options=options,
        )
        return resp.parse(DeploymentConversationEnd)


def _origin(origin: str | None) -> dict[str, str] | None:
    return {"Origin": origin} if origin else None
