"""The ``guardrails`` resource: ``/v2/guardrails``, flat guardrails and legacy sets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .._pagination import AsyncPaginator
from ..errors import InvalidInputError, InvalidTypeError
from ..models._common import build_request
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
from ._base import require_id
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

    def list(
        self,
        *,
        sort: str | None = None,
        name_or_uuid: str | None = None,
        page: int | None = None,
        limit: int | None = None,
    ) -> AsyncPaginator[GuardrailSet]:
        """List legacy guardrails sets (``legacy=true``; pages count from 1).

        Tavus's docs and its CLI disagree on what ``legacy`` defaults to, so it is always sent.
        For flat guardrails use :meth:`list_flat`.

        Args:
            sort: ``ascending`` or ``descending``.
            name_or_uuid: Match on name or id.
            page: The first page to fetch (default 1).
            limit: Page size.
        """
        return self._paginate(
            self._path,
            item_type=GuardrailSet,
            params={"legacy": True, "sort": sort, "name_or_uuid": name_or_uuid},
            page=page,
            limit=limit,
            convert=self._decode,
        )

    async def create_flat(
        self,
        params: FlatGuardrailCreate | Mapping[str, Any] | None = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> FlatGuardrail:
        """Create one flat guardrail (``POST /v2/guardrails`` with a top-level
        ``guardrail_name``).

        Args:
            params: A :class:`~tavus_async.models.FlatGuardrailCreate` or a dict of its fields.
            extra_body: Fields this SDK does not model, sent as given.
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
        return await self._request("POST", self._path, cast_to=FlatGuardrail, json=body)

    async def get_flat(self, guardrail_id: str, *, verbose: bool = False) -> FlatGuardrail:
        """Fetch one flat guardrail (a set item's mirror too) by its ``uuid``.

        Args:
            guardrail_id: Its ``uuid``.
            verbose: Also return ``guardrail_type`` and ``persona_refs`` (the PALs using it).

        Raises:
            InvalidInputError: An empty id.
            NotFoundError: No such guardrail.
            APIResponseValidationError: The id is a set's (use :meth:`get`).
        """
        gid = require_id("guardrail_id", guardrail_id)
        params = {"verbose": True} if verbose else None
        return await self._request(
            "GET", f"{self._path}/{gid}", cast_to=FlatGuardrail, params=params
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
        )

    async def update_flat(
        self,
        guardrail_id: str,
        params: FlatGuardrailUpdate | Mapping[str, Any] | None = None,
        /,
        **fields: Any,
    ) -> FlatGuardrail:
        """Change fields of a flat guardrail; each given field replaces the stored value.

        Sent as JSON Patch ``add`` operations, one per field (``replace`` would fail on a field
        the record omits, such as an empty ``tool_call``), as Tavus's own CLI does.

        Args:
            guardrail_id: Its ``uuid``.
            params: A :class:`~tavus_async.models.FlatGuardrailUpdate` or a dict.
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
        resp = await self._request_response("PATCH", f"{self._path}/{gid}", json=ops)
        raw = None if resp.not_modified or not resp.content.strip() else resp.json()
        if isinstance(raw, dict) and "uuid" in raw:
            return resp.parse(FlatGuardrail)
        return await self.get_flat(gid)

    async def patch(
        self, set_id: str, operations: Patch | Iterable[PatchOp | Mapping[str, Any]]
    ) -> PatchResult[GuardrailSet]:
        """Change a flat guardrail (paths like ``/guardrail_prompt``) or a set (paths like
        ``/data/0/guardrail_prompt``) with a JSON Patch.

        Returns:
            ``changed`` is False when Tavus answered 304.

        Raises:
            InvalidInputError: An empty id or an invalid operation (before any request).
            BadRequestError: Tavus rejected the patch.
            NotFoundError: No such guardrail or set.
        """
        return await super().patch(set_id, operations)

    async def tags(
        self, *, search: str | None = None, page: int | None = None, limit: int | None = None
    ) -> TagList:
        """The tags used on the account's guardrails (``GET /v2/guardrails/tags``).

        Args:
            search: Only tags containing this text.
            page: The page (from 1).
            limit: Page size.
        """
        params = {"search": search, "page": page, "limit": limit}
        return await self._request("GET", f"{self._path}/tags", cast_to=TagList, params=params)
