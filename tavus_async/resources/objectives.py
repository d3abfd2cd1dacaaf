"""The ``objectives`` resource: ``/v2/objectives``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from typing_extensions import Unpack

from ..models._common import build_request
from ..models._params import ObjectivesCreateParams
from ..models.objectives import (
    ObjectivesCreate,
    ObjectiveSet,
    ObjectivesValidation,
    to_objective_set,
)
from ._base import call_options
from ._sets import PatchableSetResource

__all__ = ["Objectives"]


class Objectives(PatchableSetResource[ObjectiveSet]):
    """Objectives sets: goals a persona works through (attach with ``objectives_id``).

    Methods: ``create``, ``get``, ``list``, ``patch``, ``delete`` (see
    :class:`~tavus_async.resources._sets.PatchableSetResource`) and :meth:`validate`; ids are
    ``objectives_id``.

    Example::

        objs = await tavus.objectives.create(data=[
            {"objective_name": "get_email", "objective_prompt": "Ask for their email",
             "output_variables": ["email"]},
        ])
        await tavus.personas.patch(pid, Patch().add("/objectives_id", objs.objectives_id))
    """

    _what = "objectives set"
    _model = ObjectiveSet
    _create_model = ObjectivesCreate
    _convert = staticmethod(to_objective_set)

    async def create(
        self,
        params: ObjectivesCreate | ObjectivesCreateParams | Mapping[str, Any] | None = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **fields: Unpack[ObjectivesCreateParams],
    ) -> ObjectiveSet:
        """Create an objectives set (``POST /v2/objectives``): ``data`` items as dicts or models.

        Args:
            params: A :class:`~tavus_async.models.ObjectivesCreate` or a dict of its fields.
            extra_body: Fields this SDK does not model, sent as given.
            timeout: Seconds for this call (instead of the client's ``timeout``).
            extra_headers: Headers added to this call.
            extra_query: Query parameters added to this call.
            **fields: The fields of :class:`~tavus_async.models.ObjectivesCreate`.

        Returns:
            The new set (its id, ``status``, ``created_at``).

        Raises:
            ValueError: No ``data``, an item without its name, an unknown field or a wrong type
                (before any request).
            BadRequestError: Tavus rejected the set.
        """
        options = call_options(timeout, extra_headers, extra_query)
        return await self._create(params, fields, extra_body, options)

    async def validate(
        self,
        params: ObjectivesCreate | ObjectivesCreateParams | Mapping[str, Any] | None = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **fields: Unpack[ObjectivesCreateParams],
    ) -> ObjectivesValidation:
        """Check a set without storing it (``POST /v2/objectives/validate``).

        Tavus checks what ``create`` would: unique names, references to objectives that exist,
        no self reference, ``next_required_objective`` or ``next_conditional_objectives`` but
        not both, and (unless ``allow_loops``) no cycle and exactly one root. The endpoint is
        used by Tavus's CLI and is not in its OpenAPI document.

        Args:
            params: The same body as :meth:`create`.
            extra_body: Fields this SDK does not model, sent as given.
            timeout: Seconds for this call (instead of the client's ``timeout``).
            extra_headers: Headers added to this call.
            extra_query: Query parameters added to this call.
            **fields: ``data``, ``name``, ``allow_loops``.

        Returns:
            ``ok`` and the ``errors`` found.

        Raises:
            InvalidInputError: An unknown field or a wrong type (before any request).
        """
        body = build_request(ObjectivesCreate, params, fields, extra_body=extra_body)
        return await self._request(
            "POST",
            f"{self._path}/validate",
            cast_to=ObjectivesValidation,
            json=body,
            idempotent=True,  # a dry run: repeating it stores nothing
            options=call_options(timeout, extra_headers, extra_query),
        )
