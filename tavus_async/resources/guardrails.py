"""The ``guardrails`` resource: ``/v2/guardrails``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .._pagination import AsyncPaginator
from ..models._common import build_request
from ..models.guardrails import GuardrailsCreate, GuardrailSet, to_guardrail_set
from ..models.patch import Patch, PatchOp, PatchResult, normalize_patch
from ._base import AsyncAPIResource, require_id
from ._shared import decode_with, patch_result

__all__ = ["Guardrails"]

_PATH = "/v2/guardrails"


class Guardrails(AsyncAPIResource):
    """Guardrails sets: rules a persona must respect (attach with ``guardrails_id``).

    Example::

        rails = await tavus.guardrails.create(name="safety", data=[
            {"guardrail_name": "no_medical_advice",
             "guardrail_prompt": "Never give medical advice"},
        ])
        await tavus.personas.patch(pid, Patch().add("/guardrails_id", rails.guardrails_id))
    """

    async def create(
        self,
        params: GuardrailsCreate | Mapping[str, Any] | None = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> GuardrailSet:
        """Create an guardrails set (``POST /v2/guardrails``).

        Args:
            params: An :class:`~tavus_async.models.GuardrailsCreate` or a dict of its fields.
            extra_body: Fields this SDK does not model, sent as given.
            **fields: ``data`` (the guardrails, as dicts or
                :class:`~tavus_async.models.Guardrail`), ``name``...

        Returns:
            The set (``guardrails_id``, ``status``, ``created_at``).

        Raises:
            ValueError: No ``data``, a guardrail without ``guardrail_name``, an unknown field
                or a wrong type (before any request).
            BadRequestError: Tavus rejected the set.
        """
        body = build_request(GuardrailsCreate, params, fields, extra_body=extra_body)
        resp = await self._request_response("POST", _PATH, json=body)
        return decode_with(resp, to_guardrail_set, "guardrails set")

    async def get(self, guardrails_id: str) -> GuardrailSet:
        """Fetch one guardrails set (``data`` as an object or a list are both accepted).

        Raises:
            ValueError: An empty id.
            NotFoundError: No such set.
        """
        oid = require_id("guardrails_id", guardrails_id)
        resp = await self._request_response("GET", f"{_PATH}/{oid}")
        return decode_with(resp, lambda raw: to_guardrail_set(raw, oid), "guardrails set")

    async def patch(
        self, guardrails_id: str, operations: Patch | Iterable[PatchOp | Mapping[str, Any]]
    ) -> PatchResult[GuardrailSet]:
        """Update an guardrails set with a JSON Patch (paths like ``/data/0/guardrail_prompt``).

        Returns:
            ``changed`` is False when Tavus answered 304.

        Raises:
            ValueError: An empty id or an invalid operation (before any request).
            BadRequestError: Tavus rejected the patch.
            NotFoundError: No such set.
        """
        oid = require_id("guardrails_id", guardrails_id)
        ops = [op.to_dict() for op in normalize_patch(operations)]
        resp = await self._request_response("PATCH", f"{_PATH}/{oid}", json=ops)
        return patch_result(resp)

    async def delete(self, guardrails_id: str) -> None:
        """Delete an guardrails set.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such set.
        """
        oid = require_id("guardrails_id", guardrails_id)
        await self._request_none("DELETE", f"{_PATH}/{oid}")

    def list(
        self,
        *,
        sort: str | None = None,
        name_or_uuid: str | None = None,
        page: int | None = None,
        limit: int | None = None,
    ) -> AsyncPaginator[GuardrailSet]:
        """List guardrails sets (``GET /v2/guardrails``; pages count from 1).

        Args:
            sort: ``ascending`` or ``descending``.
            name_or_uuid: Match on name or id.
            page: The first page to fetch (default 1).
            limit: Page size.
        """
        return self._paginate(
            _PATH,
            item_type=GuardrailSet,
            params={"sort": sort, "name_or_uuid": name_or_uuid},
            page=page,
            limit=limit,
            first_page=1,
            convert=to_guardrail_set,
        )
