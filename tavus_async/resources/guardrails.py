"""The ``guardrails`` resource: ``/v2/guardrails``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from typing_extensions import Unpack

from ..models._params import GuardrailsCreateParams
from ..models.guardrails import GuardrailsCreate, GuardrailSet, to_guardrail_set
from ._base import call_options
from ._sets import PatchableSetResource

__all__ = ["Guardrails"]


class Guardrails(PatchableSetResource[GuardrailSet]):
    """Guardrails sets: rules a persona must respect (attach with ``guardrails_id``).

    Methods: ``create``, ``get``, ``list``, ``patch``, ``delete`` (see
    :class:`~tavus_async.resources._sets.PatchableSetResource`); ids are ``guardrails_id``.

    Example::

        rails = await tavus.guardrails.create(name="safety", data=[
            {"guardrail_name": "no_medical_advice",
             "guardrail_prompt": "Never give medical advice"},
        ])
        await tavus.personas.patch(pid, Patch().add("/guardrails_id", rails.guardrails_id))
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
