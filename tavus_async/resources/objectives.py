"""The ``objectives`` resource: ``/v2/objectives``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .._pagination import AsyncPaginator
from ..models._common import build_request
from ..models.objectives import ObjectivesCreate, ObjectiveSet, to_objective_set
from ..models.patch import Patch, PatchOp, PatchResult, normalize_patch
from ._base import AsyncAPIResource, require_id
from ._shared import decode_with, patch_result

__all__ = ["Objectives"]

_PATH = "/v2/objectives"


class Objectives(AsyncAPIResource):
    """Objectives sets: goals a persona works through (attach with ``objectives_id``).

    Example::

        objs = await tavus.objectives.create(data=[
            {"objective_name": "get_email", "objective_prompt": "Ask for their email",
             "output_variables": ["email"]},
        ])
        await tavus.personas.patch(pid, Patch().add("/objectives_id", objs.objectives_id))
    """

    async def create(
        self,
        params: ObjectivesCreate | Mapping[str, Any] | None = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> ObjectiveSet:
        """Create an objectives set (``POST /v2/objectives``).

        Args:
            params: An :class:`~tavus_async.models.ObjectivesCreate` or a dict of its fields.
            extra_body: Fields this SDK does not model, sent as given.
            **fields: ``data`` (the objectives, as dicts or
                :class:`~tavus_async.models.Objective`), ``name``...

        Returns:
            The set (``objectives_id``, ``status``, ``created_at``).

        Raises:
            ValueError: No ``data``, an objective without ``objective_name``, an unknown field
                or a wrong type (before any request).
            BadRequestError: Tavus rejected the set.
        """
        body = build_request(ObjectivesCreate, params, fields, extra_body=extra_body)
        resp = await self._request_response("POST", _PATH, json=body)
        return decode_with(resp, to_objective_set, "objectives set")

    async def get(self, objectives_id: str) -> ObjectiveSet:
        """Fetch one objectives set (``data`` as an object or a list are both accepted).

        Raises:
            ValueError: An empty id.
            NotFoundError: No such set.
        """
        oid = require_id("objectives_id", objectives_id)
        resp = await self._request_response("GET", f"{_PATH}/{oid}")
        return decode_with(resp, lambda raw: to_objective_set(raw, oid), "objectives set")

    async def patch(
        self, objectives_id: str, operations: Patch | Iterable[PatchOp | Mapping[str, Any]]
    ) -> PatchResult[ObjectiveSet]:
        """Update an objectives set with a JSON Patch (paths like ``/data/0/objective_prompt``).

        Returns:
            ``changed`` is False when Tavus answered 304.

        Raises:
            ValueError: An empty id or an invalid operation (before any request).
            BadRequestError: Tavus rejected the patch.
            NotFoundError: No such set.
        """
        oid = require_id("objectives_id", objectives_id)
        ops = [op.to_dict() for op in normalize_patch(operations)]
        resp = await self._request_response("PATCH", f"{_PATH}/{oid}", json=ops)
        return patch_result(resp)

    async def delete(self, objectives_id: str) -> None:
        """Delete an objectives set.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such set.
        """
        oid = require_id("objectives_id", objectives_id)
        await self._request_none("DELETE", f"{_PATH}/{oid}")

    def list(
        self,
        *,
        sort: str | None = None,
        name_or_uuid: str | None = None,
        page: int | None = None,
        limit: int | None = None,
    ) -> AsyncPaginator[ObjectiveSet]:
        """List objectives sets (``GET /v2/objectives``; pages count from 1).

        Args:
            sort: ``ascending`` or ``descending``.
            name_or_uuid: Match on name or id.
            page: The first page to fetch (default 1).
            limit: Page size.
        """
        return self._paginate(
            _PATH,
            item_type=ObjectiveSet,
            params={"sort": sort, "name_or_uuid": name_or_uuid},
            page=page,
            limit=limit,
            first_page=1,
            convert=to_objective_set,
        )
