"""Skill models: Tavus-authored capabilities (``internet_search``, ``presentation``,
``magic_canvas``, ``memory``) and their attachment to a PAL."""

from __future__ import annotations

from typing import Any

from ._common import Model, Timestamped

__all__ = ["Skill", "SkillAttachment"]


class Skill(Model, kw_only=True, omit_defaults=True):
    """A skill of the registry (``GET /v2/skills``).

    Attributes:
        skill_id: Its fixed slug (``presentation``).
        display_name: A human name.
        description: What it does.
    """

    skill_id: str
    display_name: str | None = None
    description: str | None = None


class SkillAttachment(Timestamped, kw_only=True, omit_defaults=True):
    """A skill attached to a PAL, with its configuration (active from the next conversation).

    Attributes:
        skill_id: The skill.
        config: Its settings (``presentation`` needs ``document_ids``; ``magic_canvas`` takes a
            ``components`` overlay).
        attached_at: When it was first attached.
    """

    skill_id: str
    config: dict[str, Any] | None = None
    attached_at: str | None = None
