"""The ``guardrails`` resource: ``/v2/guardrails``, flat guardrails and legacy sets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from typing_extensions import Unpack

from .._http import RequestOptions
from .._pagination import AsyncPaginator
from ..errors import InvalidInputError, InvalidTypeError
from ..models._common import build_request
from ..models._params import (
    FlatGuardrailCreateParams,
    FlatGuardrailUpdateParams,
    GuardrailsCreateParams,
)
from ..models.guardrails import (
    FlatGuardrail,
    FlatGuardrailCreate,
    FlatGuardrailUpdate,
    GuardrailsCreate,
    GuardrailSet,
    TagList,
    to_guardrail_set,
)
from ..models.patch import Patch, PatchOp, PatchResult
from ._base import call_options, require_id
from ._sets import PatchableSetResource

__all__ = ["Guardrails"]


def _csv(name: str, values: Sequence[str] | None) -> str | None:
    if values is None:
        return None
    if isinstance(values, str):
        raise InvalidTypeError(f"{name} must be a list of strings, not one string")
    return ",".join(values)


class Guardrails(PatchableSetResource[GuardrailSet]):
    """Guardrails: rules a PAL must respect, in two shapes on one path.

    - **Flat** guardrails (2026): one rule each, with its own ``uuid``; attach them with a PAL's
      ``guardrail_ids`` (or by tag with ``guardrail_tags``). Methods :meth:`create_flat`,
      :meth:`get_flat`, :meth:`list_flat`, :meth:`update_flat` and :meth:`tags`.
    - Legacy **sets** (``guardrails_id``, attached with ``guardrails_id``): ``create``,
      ``get``, ``list`` (see :class:`~tavus_async.resources._sets.PatchableSetResource`).
      Tavus mirrors every item of a set as a flat guardrail with its own ``uuid``.

    :meth:`patch` (JSON Patch) and :meth:`delete` take either id. Deleting a guardrail removes
    it from the PALs that use it.

    Example::

        rail = await tavus.guardrails.create_flat(
            guardrail_name="no_medical_advice",
            guardrail_prompt="Never give medical advice",
            tags=["safety"],
        )
        await tavus.personas.patch(pid, Patch().add("/guardrail_ids", [rail.uuid]))
    """

    _what = "guardrails set"
    _model = GuardrailSet
    _create_model = GuardrailsCreate
    _convert = staticmethod(to_guardrail_set)

    async def create(
        self,
        params: GuardrailsCreate | GuardrailsCreateParams | Mapping[str, Any] | None = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **fields: Unpack[GuardrailsCreateParams],
    ) -> GuardrailSet:
        """Create a guardrails set (``POST /v2/guardrails``): its ``data`` items as dicts or models.

        Args:
            params: A :class:`~tavus_async.models.GuardrailsCreate` or a dict of its fields.
            extra_body: Fields this SDK does not model, sent as given.
            timeout: Seconds for this call (instead of the client's ``timeout``).
            extra_headers: Headers added to this call.
            extra_query: Query parameters added to this call.
            **fields: The fields of :class:`~tavus_async.models.GuardrailsCreate`.

        Returns:
            The new set (its id, ``status``, ``created_at``).

        Raises:
            ValueError: No ``data``, an item without its name, an unknown field or a wrong type
                (before any request).
            BadRequestError: Tavus rejected the set.
        """
        options = call_options(timeout, extra_headers, extra_query)
        return await self._create(params, fields, extra_body, options)

    def list(
        self,
        *,
        sort: str | None = None,
        name_or_uuid: str | None = None,
        page: int | None = None,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[GuardrailSet]:
        """List legacy guardrails sets (``legacy=true``; pages count from 1).

        Tavus's docs and its CLI disagree on what ``legacy`` defaults to, so it is always sent.
        For flat guardrails use :meth:`list_flat`.

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
            item_type=GuardrailSet,
            params={"legacy": True, "sort": sort, "name_or_uuid": name_or_uuid},
            page=page,
            limit=limit,
            convert=self._decode,
            options=options,
        )

    async def create_flat(
        self,
        params: FlatGuardrailCreate | FlatGuardrailCreateParams | Mapping[str, Any] | None = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **fields: Unpack[FlatGuardrailCreateParams],
    ) -> FlatGuardrail:
        """Create one flat guardrail (``POST /v2/guardrails`` with a top-level
        ``guardrail_name``).

        Args:
            params: A :class:`~tavus_async.models.FlatGuardrailCreate` or a dict of its fields.
            extra_body: Fields this SDK does not model, sent as given.
            timeout: Seconds for this call (instead of the client's ``timeout``).
            extra_headers: Headers added to this call.
            extra_query: Query parameters added to this call.
            **fields: Its fields (``guardrail_name`` and ``guardrail_prompt`` are required).

        Returns:
            The guardrail, with its ``uuid``.

        Raises:
            InvalidInputError: A missing field, a name with other than letters, digits and ``_`` or
                over 100 characters, a prompt over 1,000, more than 32 tags or a tag over 64,
                an unknown modality (all before any request).
            BadRequestError: Tavus rejected it.
        """
        body = build_request(FlatGuardrailCreate, params, fields, extra_body=extra_body)
        return await self._request(
            "POST",
            self._path,
            cast_to=FlatGuardrail,
            json=body,
            options=call_options(timeout, extra_headers, extra_query),
        )

    async def get_flat(
        self, guardrail_id: str, *, verbose: bool = False, **options: Unpack[RequestOptions]
    ) -> FlatGuardrail:
        """Fetch one flat guardrail (a set item's mirror too) by its ``uuid``.

        Args:
            guardrail_id: Its ``uuid``.
            verbose: Also return ``guardrail_type`` and ``persona_refs`` (the PALs using it).
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            InvalidInputError: An empty id.
            NotFoundError: No such guardrail.
            APIResponseValidationError: The id is a set's (use :meth:`get`).
        """
        gid = require_id("guardrail_id", guardrail_id)
        params = {"verbose": True} if verbose else None
        return await self._request(
            "GET", f"{self._path}/{gid}", cast_to=FlatGuardrail, params=params, options=options
        )

    def list_flat(
        self,
        *,
        type: str | None = None,
        sort: str | None = None,
        name_or_uuid: str | None = None,
        tags: Sequence[str] | None = None,
        verbose: bool | None = None,
        page: int | None = None,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[FlatGuardrail]:
        """List flat guardrails (``legacy=false``; set items appear as their mirrors).

        Args:
            type: ``user`` (Tavus's default), ``system`` or ``all``.
            sort: ``ascending`` (default) or ``descending``.
            name_or_uuid: Match on name or id.
            tags: Only guardrails with one of these tags.
            verbose: Add ``guardrail_type`` and ``persona_refs``.
            page: The first page to fetch (default 1).
            limit: Page size.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            InvalidTypeError: ``tags`` is one string instead of a list.
        """
        return self._paginate(
            self._path,
            item_type=FlatGuardrail,
            params={
                "legacy": False,
                "type": type,
                "sort": sort,
                "name_or_uuid": name_or_uuid,
                "tags": _csv("tags", tags),
                "verbose": verbose,
            },
            page=page,
            limit=limit,
            options=options,
        )

    async def update_flat(
        self,
        guardrail_id: str,
        params: FlatGuardrailUpdate | FlatGuardrailUpdateParams | Mapping[str, Any] | None = None,
        /,
        *,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **fields: Unpack[FlatGuardrailUpdateParams],
    ) -> FlatGuardrail:
        """Change fields of a flat guardrail; each given field replaces the stored value.

        Sent as JSON Patch ``add`` operations, one per field (``replace`` would fail on a field
        the record omits, such as an empty ``tool_call``), as Tavus's own CLI does.

        Args:
            guardrail_id: Its ``uuid``.
            params: A :class:`~tavus_async.models.FlatGuardrailUpdate` or a dict.
            timeout: Seconds for this call (instead of the client's ``timeout``).
            extra_headers: Headers added to this call.
            extra_query: Query parameters added to this call.
            **fields: The fields to change (``tags`` replaces the whole list).

        Returns:
            The guardrail as it is now (read back when Tavus answers without it, or 304).

        Raises:
            InvalidInputError: An empty id, no field, or a field breaking a documented limit.
            NotFoundError: No such guardrail.
        """
        gid = require_id("guardrail_id", guardrail_id)
        body = build_request(FlatGuardrailUpdate, params, fields)
        if not body:
            raise InvalidInputError("update_flat() needs at least one field to change")
        ops = [{"op": "add", "path": f"/{key}", "value": value} for key, value in body.items()]
        resp = await self._request_response(
            "PATCH",
            f"{self._path}/{gid}",
            json=ops,
            options=call_options(timeout, extra_headers, extra_query),
        )
        raw = None if resp.not_modified or not resp.content.strip() else resp.json()
        if isinstance(raw, dict) and "uuid" in raw:
            return resp.parse(FlatGuardrail)
        return await self.get_flat(gid)

    async def patch(
        self,
        set_id: str,
        operations: Patch | Iterable[PatchOp | Mapping[str, Any]],
        **options: Unpack[RequestOptions],
    ) -> PatchResult[GuardrailSet]:
        """Change a flat guardrail (paths like ``/guardrail_prompt``) or a set (paths like
        ``/data/0/guardrail_prompt``) with a JSON Patch.

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Returns:
            ``changed`` is False when Tavus answered 304.

        Raises:
            InvalidInputError: An empty id or an invalid operation (before any request).
            BadRequestError: Tavus rejected the patch.
            NotFoundError: No such guardrail or set.
        """
        return await super().patch(set_id, operations, **options)

    async def tags(
        self,
        *,
        search: str | None = None,
        page: int | None = None,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> TagList:
        """The tags used on the account's guardrails (``GET /v2/guardrails/tags``).

        Args:
            search: Only tags containing this text.
            page: The page (from 1).
            limit: Page size.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.
        """
        params = {"search": search, "page": page, "limit": limit}
        return await self._request(
            "GET", f"{self._path}/tags", cast_to=TagList, params=params, options=options
        )
