"""The ``guardrails`` resource: ``/v2/guardrails``."""

from __future__ import annotations

from ..models.guardrails import GuardrailsCreate, GuardrailSet, to_guardrail_set
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
