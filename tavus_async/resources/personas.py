"""The ``personas`` resource: ``/v2/personas``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from typing import Any

from typing_extensions import Unpack

from .._http import RequestOptions
from .._pagination import AsyncPaginator
from ..errors import APIResponseValidationError
from ..models._common import build_request
from ..models._params import PersonaCreateParams
from ..models.patch import Patch, PatchOp, PatchResult
from ..models.personas import Persona, PersonaCreate, unwrap_persona
from ._base import AsyncAPIResource, call_options, require_id
from ._shared import decode_with

__all__ = ["Personas"]


class Personas(AsyncAPIResource):
    """Personas: the behaviour, voice and perception of a replica.

    Example::

        persona = await tavus.personas.create(
            persona_name="Guide",
            system_prompt="Be brief.",
            layers={"llm": {"model": "tavus-gpt-4o"}},
        )
        await tavus.personas.patch(persona.persona_id, Patch().replace("/persona_name", "Tour"))
    """

    async def create(
        self,
        params: PersonaCreate | PersonaCreateParams | Mapping[str, Any] | None = None,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **fields: Unpack[PersonaCreateParams],
    ) -> Persona:
        """Create a persona (``POST /v2/personas``).

        Args:
            params: A :class:`~tavus_async.models.PersonaCreate` or a dict of its fields.
            extra_body: Fields this SDK does not model, sent as given.
            timeout: Seconds for this call (instead of the client's ``timeout``).
            extra_headers: Headers added to this call.
            extra_query: Query parameters added to this call.
            **fields: The fields of :class:`~tavus_async.models.PersonaCreate`; ``layers``
                may be a :class:`~tavus_async.models.Layers` or a dict, at any depth.

        Returns:
            The new persona (Tavus returns its id, name and ``created_at``).

        Raises:
            ValueError: An unknown field (at any depth of ``layers``) or a wrong type.
            BadRequestError: Tavus rejected the persona.
        """
        body = build_request(PersonaCreate, params, fields, extra_body=extra_body)
        return await self._request(
            "POST",
            self._path,
            cast_to=Persona,
            json=body,
            options=call_options(timeout, extra_headers, extra_query),
        )

    async def get(self, persona_id: str, **options: Unpack[RequestOptions]) -> Persona:
        """Fetch one persona (``GET /v2/personas/{id}``), flat or wrapped in ``{"data": [...]}``.

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such persona (Tavus answers 400 "Invalid persona_id").
            APIResponseValidationError: The body holds no persona.
        """
        pid = require_id("persona_id", persona_id)
        resp = await self._request_response("GET", f"{self._path}/{pid}", options=options)
        # The flat shape is what Tavus serves in practice: decode it in one typed pass, and
        # take the slower two-shape path only when the body had no top-level persona.
        with contextlib.suppress(APIResponseValidationError):
            persona = resp.parse(Persona)
            if persona.persona_id is not None:
                return persona
        return decode_with(resp, unwrap_persona, "persona")

    async def patch(
        self,
        persona_id: str,
        operations: Patch | Iterable[PatchOp | Mapping[str, Any]],
        **options: Unpack[RequestOptions],
    ) -> PatchResult[Persona]:
        """Update a persona with a JSON Patch (``PATCH /v2/personas/{id}``).

        Args:
            persona_id: The persona's id.
            operations: A :class:`~tavus_async.models.Patch` or a list of operations (dicts or
                :class:`~tavus_async.models.PatchOp`), validated before sending.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Returns:
            ``changed`` is False when Tavus answered 304 (the patch changed nothing).

        Raises:
            ValueError: An empty id, or an invalid operation (before any request).
            UnprocessableEntityError: Tavus rejected the patch (e.g. ``replace`` of a missing
                member; use ``add``).
            NotFoundError: No such persona.
        """
        pid = require_id("persona_id", persona_id)
        return await self._json_patch(
            f"{self._path}/{pid}", operations, _maybe_persona, "persona", options=options
        )

    async def delete(self, persona_id: str, **options: Unpack[RequestOptions]) -> None:
        """Delete a persona (``DELETE /v2/personas/{id}``).

        Args:
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.

        Raises:
            ValueError: An empty id.
            NotFoundError: No such persona.
        """
        pid = require_id("persona_id", persona_id)
        await self._request_none("DELETE", f"{self._path}/{pid}", options=options)

    def list(
        self,
        *,
        persona_type: str | None = None,
        page: int | None = None,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Persona]:
        """List personas (``GET /v2/personas``; pages count from 1).

        Args:
            persona_type: ``user`` (yours) or ``system`` (Tavus's stock personas).
            page: The first page to fetch (default 1).
            limit: Page size.
            **options: Per-call options (:class:`~tavus_async.RequestOptions`): ``timeout``,
                ``extra_headers``, ``extra_query``, ``extra_body``.
        """
        return self._paginate(
            self._path,
            item_type=Persona,
            params={"persona_type": persona_type},
            page=page,
            limit=limit,
            options=options,
        )


def _maybe_persona(raw: Any) -> Persona | None:
    # Tavus documents no body for a successful persona PATCH; decode one only if it is a persona.
    if isinstance(raw, dict) and ("persona_id" in raw or isinstance(raw.get("data"), list)):
        return unwrap_persona(raw)
    return None
