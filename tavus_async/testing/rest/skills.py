"""``/v2/skills``: the registry of Tavus-authored skills (read only), and their config rules.

The four skills the docs and the official CLI name; :func:`check_config` is the simulator's own
validation of a skill's ``config`` (api-2026-surface §8), used by ``/v2/pals/{id}/skills``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ._plumbing import ApiError, Ctx, Handlers, bad, check_enum, str_list

__all__ = ["CANVAS_COMPONENTS", "HANDLERS", "SKILLS", "check_config", "known_skill"]

HANDLERS = Handlers()

SKILLS: dict[str, dict[str, str]] = {
    "internet_search": {
        "display_name": "Internet search",
        "description": "Searches the web during the conversation.",
    },
    "presentation": {
        "display_name": "Presentation",
        "description": "Presents slides from knowledge-base documents.",
    },
    "magic_canvas": {
        "display_name": "Magic Canvas",
        "description": "Shows questions, forms, charts and media beside the face.",
    },
    "memory": {
        "display_name": "Memory",
        "description": "Remembers participants across conversations.",
    },
}
CANVAS_COMPONENTS = (
    "question",
    "input",
    "calendar",
    "scheduling_embed",
    "text",
    "image",
    "video",
    "chart",
    "alert",
)


def known_skill(skill_id: str) -> None:
    """Raise the documented 404 for a skill id that does not exist."""
    if skill_id not in SKILLS:
        raise ApiError(404, {"error": f"Unknown skill '{skill_id}'"})


def check_config(skill_id: str, config: Any) -> dict[str, Any]:
    """Validate a skill's ``config`` strictly (400 on an unknown field or component)."""
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise bad("Invalid request: config must be an object")
    if skill_id in ("internet_search", "memory"):
        if config:
            raise bad(f"Invalid request: {skill_id} takes no config, got {sorted(config)}")
    elif skill_id == "presentation":
        unknown = set(config) - {"document_ids", "slides_trigger", "prompt"}
        if unknown:
            raise bad(f"Invalid request: unknown presentation config fields {sorted(unknown)}")
        if not str_list(config.get("document_ids"), "document_ids"):
            raise bad("Invalid request: presentation needs a non-empty config.document_ids")
        check_enum(config.get("slides_trigger"), ("on_demand", "walk_the_deck"), "slides_trigger")
    elif skill_id == "magic_canvas":
        unknown = set(config) - {"components"}
        if unknown:
            raise bad(f"Invalid request: unknown magic_canvas config fields {sorted(unknown)}")
        components = config.get("components") or {}
        if not isinstance(components, dict):
            raise bad("Invalid request: config.components must be an object")
        for name, settings in components.items():
            if name not in CANVAS_COMPONENTS:
                raise bad(f"Invalid request: unknown canvas component {name!r}")
            if not isinstance(settings, dict):
                raise bad(f"Invalid request: config.components.{name} must be an object")
    return config


def _item(skill_id: str) -> dict[str, str]:
    return {"skill_id": skill_id, **SKILLS[skill_id]}


@HANDLERS.verb("list")
async def list_(ctx: Ctx, request: web.Request) -> web.Response:
    query = ctx.query(request)
    items = [_item(sid) for sid in SKILLS]
    page, _, _ = ctx.page(items, query)
    return ctx.json(request, {"data": page, "total_count": len(items)})


@HANDLERS.verb("get")
async def get(ctx: Ctx, request: web.Request) -> web.Response:
    skill_id = request.match_info[ctx.row.id_field]
    known_skill(skill_id)
    return ctx.json(request, _item(skill_id))
