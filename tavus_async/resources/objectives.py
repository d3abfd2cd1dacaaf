"""The ``objectives`` resource: ``/v2/objectives``."""

from __future__ import annotations

from ..models.objectives import ObjectivesCreate, ObjectiveSet, to_objective_set
from ._sets import PatchableSetResource

__all__ = ["Objectives"]


class Objectives(PatchableSetResource[ObjectiveSet]):
    """Objectives sets: goals a persona works through (attach with ``objectives_id``).

    Methods: ``create``, ``get``, ``list``, ``patch``, ``delete`` (see
    :class:`~tavus_async.resources._sets.PatchableSetResource`); ids are ``objectives_id``.

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
