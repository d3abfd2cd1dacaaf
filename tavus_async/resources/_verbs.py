"""The standard verbs, served from a resource's catalog row: no resource module needed.

A resource whose endpoints are plain (``create`` with its request model, ``get`` and ``delete``
by id, ``list`` with the row's filters, ``patch`` with JSON Patch) names one of these classes in
its catalog row, parametrized by its item model::

    skills = _Entry(ReadOnlyResource[Skill], path="/v2/skills", ..., verbs=("list", "get"))

Each verb is a mixin, so a class has exactly the verbs it combines; ``tests/test_catalog.py``
checks that they are the row's verbs. A resource with other verbs (or other shapes) gets its own
class in ``resources/<name>.py``, usually built from these mixins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Generic, TypeVar

from .._pagination import AsyncPaginator
from ..errors import InvalidInputError
from ..models._common import build_request
from ..models.patch import Patch, PatchOp, PatchResult
from ._base import AsyncAPIResource, require_id

__all__ = [
    "Creating",
    "CrudResource",
    "Deleting",
    "Fetching",
    "Listing",
    "Patching",
    "ReadOnlyResource",
]

T = TypeVar("T")


class Listing(AsyncAPIResource, Generic[T]):
    """``list``: ``GET <path>`` with the row's filters and page base."""

    def list(
        self, *, page: int | None = None, limit: int | None = None, **filters: Any
    ) -> AsyncPaginator[T]:
        """List items (pages count from the resource's page base).

        Args:
            page: The first page to fetch.
            limit: Page size.
            **filters: The resource's list filters (see its catalog row).

        Raises:
            ValueError: A filter the resource does not have (before any request).
        """
        known = {flag.field for flag in self._row.list_filters}
        unknown = sorted(set(filters) - known)
        if unknown:
            allowed = ", ".join(sorted(known)) or "none"
            raise InvalidInputError(
                f"{self._row.name}.list() has no filter {unknown}; filters: {allowed}"
            )
        item: type[T] = self._row.model
        return self._paginate(self._path, item_type=item, params=filters, page=page, limit=limit)


class Fetching(AsyncAPIResource, Generic[T]):
    """``get``: ``GET <path>/{id}``."""

    async def get(self, resource_id: str) -> T:
        """Fetch one item by id.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such item.
        """
        rid = require_id(self._id_name, resource_id)
        item: type[T] = self._row.model
        return await self._request("GET", f"{self._path}/{rid}", cast_to=item)


class Creating(AsyncAPIResource, Generic[T]):
    """``create``: ``POST <path>`` with the row's request model, checked before any I/O."""

    async def create(
        self,
        params: Any = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> T:
        """Create an item.

        Args:
            params: The resource's request model, or a dict of its fields.
            extra_body: Fields this SDK does not model, sent as given.
            **fields: The fields of the request model.

        Raises:
            ValueError: An unknown field or a wrong type, before any request.
            BadRequestError: Tavus rejected the item.
        """
        model = self._row.create_model
        assert model is not None, f"catalog row {self._row.name} has create but no create_model"
        body = build_request(model, params, fields, extra_body=extra_body)
        item: type[T] = self._row.model
        return await self._request("POST", self._path, cast_to=item, json=body)


class Patching(AsyncAPIResource, Generic[T]):
    """``patch``: ``PATCH <path>/{id}`` with a JSON Patch."""

    async def patch(
        self, resource_id: str, operations: Patch | Iterable[PatchOp | Mapping[str, Any]]
    ) -> PatchResult[T]:
        """Change an item with a JSON Patch (validated before sending).

        Returns:
            ``changed`` is False when Tavus answered 304.

        Raises:
            ValueError: An empty id or an invalid operation.
            NotFoundError: No such item.
        """
        rid = require_id(self._id_name, resource_id)
        return await self._json_patch(f"{self._path}/{rid}", operations, what=self._row.name)


class Deleting(AsyncAPIResource):
    """``delete``: ``DELETE <path>/{id}``."""

    async def delete(self, resource_id: str) -> None:
        """Delete an item.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such item.
        """
        rid = require_id(self._id_name, resource_id)
        await self._request_none("DELETE", f"{self._path}/{rid}")


class ReadOnlyResource(Listing[T], Fetching[T]):
    """A resource that is read only: ``list`` and ``get``."""


class CrudResource(Creating[T], Listing[T], Fetching[T], Patching[T], Deleting):
    """A resource with ``create``, ``list``, ``get``, ``patch`` (JSON Patch) and ``delete``."""
