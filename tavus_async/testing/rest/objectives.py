"""``/v2/objectives``: objectives sets (shared behaviour in :mod:`._sets`) and ``validate``."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import _sets
from ._plumbing import ApiError, Ctx, Handlers, Record, bad_message

__all__ = ["HANDLERS", "graph_errors"]

HANDLERS = Handlers()
_KIND = "objectives"


def _next_names(item: Record) -> list[str]:
    names: list[str] = []
    one = item.get("next_required_objective")
    if isinstance(one, str) and one:
        names.append(one)
    many = item.get("next_required_objectives")  # the older docs' list spelling
    if isinstance(many, list):
        names.extend(n for n in many if isinstance(n, str))
    conditional = item.get("next_conditional_objectives")
    if isinstance(conditional, dict):
        names.extend(str(n) for n in conditional)
    return names


def graph_errors(items: list[Record], *, allow_loops: bool) -> list[str]:
    """What is wrong with how a set's objectives lead to each other (empty when nothing).

    The rules of Tavus's CLI and server (api-2026-surface.md §10): unique names, references to
    objectives that exist, no self reference, a required next objective or conditional ones but
    not both; unless ``allow_loops``, no cycle and exactly one root (an objective no other
    leads to).
    """
    errors: list[str] = []
    names = [str(item.get("objective_name")) for item in items]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            errors.append(f"duplicate objective_name {name!r}")
        seen.add(name)
    edges: dict[str, list[str]] = {}
    for item, name in zip(items, names, strict=True):
        required = item.get("next_required_objective") or item.get("next_required_objectives")
        if required and item.get("next_conditional_objectives"):
            errors.append(
                f"{name}: next_required_objective and next_conditional_objectives are exclusive"
            )
        targets = _next_names(item)
        for target in targets:
            if target == name:
                errors.append(f"{name}: an objective cannot lead to itself")
            elif target not in seen:
                errors.append(f"{name}: leads to {target!r}, which is not in the set")
        edges[name] = [t for t in targets if t in seen and t != name]
    if errors or allow_loops:
        return errors
    referenced = {t for targets in edges.values() for t in targets}
    roots = [n for n in names if n not in referenced]
    if len(roots) != 1:
        errors.append(
            "exactly one objective must be the root (led to by no other), found "
            f"{len(roots)}: {', '.join(roots) or 'none'}; set allow_loops to lift this"
        )
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in edges.get(node, []):
            if state.get(nxt) == 1:
                cycle = " -> ".join([*path[path.index(nxt) :], nxt])
                errors.append(f"a cycle: {cycle}; set allow_loops to allow it")
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for name in names:
        if name not in state:
            visit(name, [name])
    return errors


def _check(body: dict[str, Any], items: list[Record]) -> None:
    errors = graph_errors(items, allow_loops=bool(body.get("allow_loops")))
    if errors:
        raise bad_message("; ".join(errors))


@HANDLERS.verb("create")
async def create(ctx: Ctx, request: web.Request) -> web.Response:
    return await _sets.create(ctx, request, _KIND, check=_check)


@HANDLERS.verb("list")
async def list_(ctx: Ctx, request: web.Request) -> web.Response:
    return await _sets.list_(ctx, request, _KIND)


@HANDLERS.verb("get")
async def get(ctx: Ctx, request: web.Request) -> web.Response:
    return await _sets.get(ctx, request, _KIND)


@HANDLERS.verb("patch")
async def patch(ctx: Ctx, request: web.Request) -> web.StreamResponse:
    return await _sets.patch(ctx, request, _KIND, check=_check)


@HANDLERS.verb("delete")
async def delete(ctx: Ctx, request: web.Request) -> web.Response:
    return await _sets.delete(ctx, request, _KIND)


@HANDLERS.verb("validate")
async def validate(ctx: Ctx, request: web.Request) -> web.Response:
    # The CLI's dry run. Tavus does not document the answer: {ok, errors} is the simulator's
    # (api-2026-surface.md §10). Only a body that is not a JSON object is a 400.
    body = await ctx.object(request)
    try:
        items = _sets.set_items(ctx, body, _KIND)
    except ApiError as exc:
        return ctx.json(request, {"ok": False, "errors": [str(exc.body.get("message"))]})
    errors = graph_errors(items, allow_loops=bool(body.get("allow_loops")))
    return ctx.json(request, {"ok": not errors, "errors": errors})
