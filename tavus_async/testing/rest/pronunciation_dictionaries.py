"""``/v2/pronunciation-dictionaries``: pronunciation rules for TTS."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .._store import hex_id
from ._plumbing import ApiError, Ctx, Handlers, Record, bad, check_enum

__all__ = ["HANDLERS"]

HANDLERS = Handlers()
# Tavus's observed id shape (rest-api-notes §1).
_NEW_ID = hex_id("pd_", 12)


def _dictionary(ctx: Ctx, did: str) -> Record:
    record = ctx.store.pronunciation_dictionaries.get(did)
    if record is None:
        raise ApiError(404, {"message": "Pronunciation dictionary not found"})
    return record


def _rules(value: Any) -> list[Record]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad("Invalid request: rules must be a list")
    rules: list[Record] = []
    seen: set[str] = set()
    for rule in value:
        if not isinstance(rule, dict):
            raise bad("Invalid request: each rule must be an object")
        for key, top in (("text", 200), ("pronunciation", 500)):
            v = rule.get(key)
            if not isinstance(v, str) or not v:
                raise bad(f"Invalid request: rules[].{key} is required")
            if len(v) > top:
                raise bad(f"Invalid request: rules[].{key} must be at most {top} characters")
        if rule.get("type") is None:
            raise bad("Invalid request: rules[].type is required")
        check_enum(rule.get("type"), ("alias", "ipa"), "rules[].type")
        if rule["text"] in seen:
            raise bad(f"Invalid request: duplicate rule text {rule['text']!r}")
        seen.add(rule["text"])
        rules.append(
            {
                "text": rule["text"],
                "pronunciation": rule["pronunciation"],
                "type": rule["type"],
                "case_sensitive": bool(rule.get("case_sensitive", False)),
                "word_boundaries": bool(rule.get("word_boundaries", True)),
            }
        )
    return rules


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise bad("name is required")
    if len(value) > 255:
        raise bad("Invalid request: name must be at most 255 characters")
    return value


@HANDLERS.verb("create")
async def create(ctx: Ctx, request: web.Request) -> web.Response:
    body = await ctx.object(request)
    name = _name(body.get("name"))
    rules = _rules(body.get("rules"))
    did = ctx.store.new_id("pronunciation_dictionaries", _NEW_ID)
    now = ctx.store.iso()
    record: Record = {
        "pronunciation_dictionary_id": did,
        "name": name,
        "rules": rules,
        "rules_count": len(rules),
        "created_at": now,
        "updated_at": now,
    }
    ctx.store.pronunciation_dictionaries[did] = record
    return ctx.json(request, dict(record), status=201)


@HANDLERS.verb("list")
async def list_(ctx: Ctx, request: web.Request) -> web.Response:
    query = ctx.query(request)
    sort = query.get("sort", "desc")
    check_enum(sort, ("asc", "desc"), "sort")
    items = [
        {k: v for k, v in d.items() if k != "rules"}
        for d in ctx.store.pronunciation_dictionaries.values()
    ]
    if sort == "desc":
        items.reverse()
    page, number, limit = ctx.page(items, query, max_limit=100)
    out = {"data": page, "total_count": len(items), "page": number, "limit": limit}
    return ctx.json(request, out)


@HANDLERS.verb("get")
async def get(ctx: Ctx, request: web.Request) -> web.Response:
    record = _dictionary(ctx, request.match_info["pronunciation_dictionary_id"])
    return ctx.json(request, dict(record))


@HANDLERS.verb("patch")
async def patch(ctx: Ctx, request: web.Request) -> web.StreamResponse:
    record = _dictionary(ctx, request.match_info["pronunciation_dictionary_id"])
    ops = await ctx.patch_ops(request, malformed_status=422)
    for op in ops:
        for pointer in (op["path"], op.get("from")):
            if pointer is not None and not (
                pointer in ("/name", "/rules") or pointer.startswith("/rules/")
            ):
                raise bad(
                    f"Invalid patch operation: only /name and /rules can be patched, not {pointer}"
                )
    doc = {"name": record["name"], "rules": record["rules"]}
    new = ctx.apply_patch(doc, ops, malformed_status=422)
    if new == doc:
        return web.Response(status=304)
    name = _name(new.get("name"))
    rules = _rules(new.get("rules"))
    record.update(name=name, rules=rules, rules_count=len(rules), updated_at=ctx.store.iso())
    return ctx.json(request, dict(record))


@HANDLERS.verb("delete")
async def delete(ctx: Ctx, request: web.Request) -> web.Response:
    did = request.match_info["pronunciation_dictionary_id"]
    _dictionary(ctx, did)
    del ctx.store.pronunciation_dictionaries[did]
    # Deleting a dictionary also unlinks it from personas (OAS26).
    for persona in ctx.store.personas.values():
        tts = (persona.get("layers") or {}).get("tts")
        if isinstance(tts, dict) and tts.get("pronunciation_dictionary_id") == did:
            del tts["pronunciation_dictionary_id"]
    return web.Response(status=204)
