"""``/v2/documents``: knowledge-base documents, their processing and website recrawls."""

from __future__ import annotations

import random
from typing import Any

from aiohttp import web

from ._plumbing import ApiError, Ctx, Handlers, Record, bad, check_enum, is_url, public, str_list

__all__ = ["HANDLERS"]

HANDLERS = Handlers()


def _new_document_id(rng: random.Random) -> str:
    # Documents have their own shape: "d8-" then 12 hex digits (rest-api-notes §1).
    return f"d{rng.randrange(10)}-{rng.getrandbits(48):012x}"


def _document(ctx: Ctx, did: str) -> Record:
    doc = ctx.store.documents.get(did)
    if doc is None:
        raise ApiError(404, {"message": "Document not found"})
    return doc


def _crawl(value: Any) -> dict[str, int] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad("Invalid request: crawl must be an object with depth and max_pages")
    out: dict[str, int] = {}
    for key, top in (("depth", 10), ("max_pages", 100)):
        v = value.get(key, 1)
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= top:
            raise bad(f"Invalid request: crawl.{key} must be an integer from 1 to {top}")
        out[key] = v
    return out


@HANDLERS.verb("create")
async def create(ctx: Ctx, request: web.Request) -> web.Response:
    body = await ctx.object(request)
    url = body.get("document_url")
    if not url:
        raise bad("document_url is required")
    if not is_url(url):
        raise bad("Invalid document_url")
    crawl = _crawl(body.get("crawl"))
    tags = str_list(body.get("tags"), "tags")
    callback_url = body.get("callback_url") or ""
    if callback_url and not is_url(callback_url):
        raise bad("Invalid callback_url")
    if crawl:
        docs = ctx.store.documents.values()
        if sum(1 for d in docs if d.get("crawl_config")) >= 100:
            raise ApiError(
                429,
                {"error": "Crawl document limit reached (100). Delete a crawl document first."},
            )
        busy = sum(
            1
            for d in docs
            if d.get("crawl_config") and d["status"] in ("started", "processing", "recrawling")
        )
        if busy >= 5:
            raise ApiError(429, {"error": "Concurrent crawl limit reached (5). Try later."})
    did = ctx.store.new_id("documents", _new_document_id)
    now = ctx.store.iso()
    name = body.get("document_name") or url.rstrip("/").rsplit("/", 1)[-1] or did
    doc: Record = {
        "document_id": did,
        "document_name": name,
        "document_url": url,
        "status": "started",
        "progress": 0,
        "error_message": None,
        "created_at": now,
        "updated_at": now,
        "callback_url": callback_url,
        "tags": tags,
        "crawl_config": crawl,
        "crawled_urls": None,
        "last_crawled_at": None,
        "crawl_count": 0 if crawl else None,
    }
    ctx.store.documents[did] = doc
    out = public(doc)
    ctx.sim.start_document(doc)
    return ctx.json(request, out)


@HANDLERS.verb("list")
async def list_(ctx: Ctx, request: web.Request) -> web.Response:
    query = ctx.query(request)
    sort = query.get("sort", "ascending")
    # The docs spell it ascending/descending; the official CLI sends asc/desc (its default).
    check_enum(sort, ("ascending", "descending", "asc", "desc"), "sort")
    status = query.get("status")
    check_enum(status, ("started", "processing", "ready", "error", "recrawling"), "status")
    needle = query.get("name_or_uuid", "").lower()
    tags = {t.strip() for t in query.get("tags", "").split(",") if t.strip()}
    docs = [
        public(d)
        for d in ctx.store.documents.values()
        if (status is None or d["status"] == status)
        and (
            not needle or needle in d["document_name"].lower() or needle == d["document_id"].lower()
        )
        and (not tags or tags & set(d["tags"]))
    ]
    if sort in ("descending", "desc"):
        docs.reverse()
    page, number, limit = ctx.page(docs, query)
    out = {"data": page, "total_count": len(docs), "page": number, "limit": limit}
    return ctx.json(request, out)


@HANDLERS.verb("get")
async def get(ctx: Ctx, request: web.Request) -> web.Response:
    doc = _document(ctx, request.match_info["document_id"])
    return ctx.json(request, public(doc))


@HANDLERS.verb("update")
async def update(ctx: Ctx, request: web.Request) -> web.Response:
    doc = _document(ctx, request.match_info["document_id"])
    body = await ctx.object(request)
    unknown = set(body) - {"document_name", "tags"}
    if unknown:
        raise bad(
            f"Invalid request: only document_name and tags can be updated, not {sorted(unknown)}"
        )
    if "document_name" in body:
        if not isinstance(body["document_name"], str) or not body["document_name"]:
            raise bad("Invalid request: document_name must be a non-empty string")
        doc["document_name"] = body["document_name"]
    if "tags" in body:
        doc["tags"] = str_list(body["tags"], "tags")  # replaces the list, as documented
    doc["updated_at"] = ctx.store.iso()
    return ctx.json(request, public(doc))


@HANDLERS.verb("delete")
async def delete(ctx: Ctx, request: web.Request) -> web.Response:
    did = request.match_info["document_id"]
    _document(ctx, did)
    del ctx.store.documents[did]
    return web.Response(status=204)


@HANDLERS.verb("recrawl")
async def recrawl(ctx: Ctx, request: web.Request) -> web.Response:
    doc = _document(ctx, request.match_info["document_id"])
    body = await ctx.object(request, required=False)
    override = _crawl(body.get("crawl"))
    if not doc.get("crawl_config"):
        raise bad("Document was not created with a crawl configuration and cannot be recrawled")
    if doc["status"] not in ("ready", "error"):
        raise ApiError(
            409,
            {"error": f"Document cannot be recrawled in its current status: {doc['status']}"},
        )
    last = doc.get("_last_crawled")
    cooldown = ctx.sim.timings.recrawl_cooldown
    if last is not None and ctx.sim.clock.now() - last < cooldown:
        minutes = max(1, int((cooldown - (ctx.sim.clock.now() - last) + 59) // 60))
        raise ApiError(
            429,
            {"error": f"Recrawl cooldown active, please wait {minutes} minutes before recrawling"},
        )
    if override:
        doc["crawl_config"] = override
    doc.update(status="recrawling", progress=0, error_message=None, updated_at=ctx.store.iso())
    out = public(doc)
    ctx.sim.start_document(doc, initial_status="recrawling")
    return ctx.json(request, out, status=202)


@HANDLERS.verb("tags")
async def tags(ctx: Ctx, request: web.Request) -> web.Response:
    # Undocumented (tavus-cli only): {tags, total_count}, pages from 0 like the document list.
    query = ctx.query(request)
    search = query.get("search", "").lower()
    found = sorted(
        {t for d in ctx.store.documents.values() for t in d["tags"] if search in t.lower()}
    )
    page, _, _ = ctx.page(found, query)
    return ctx.json(request, {"tags": page, "total_count": len(found)})


def _chunk_texts(doc: Record) -> list[str]:
    # A stand-in for extraction: a few deterministic passages about the document.
    name, url = doc["document_name"], doc["document_url"]
    return [
        f"{name}: extracted text from {url}, part {n + 1}."
        for n in range(3 + len(doc["document_id"]) % 3)
    ]


@HANDLERS.verb("chunks")
async def chunks(ctx: Ctx, request: web.Request) -> web.Response:
    # Undocumented (tavus-cli only): collection=regular|customer_support, limit, offset.
    doc = _document(ctx, request.match_info["document_id"])
    query = ctx.query(request)
    collection = query.get("collection", "regular")
    check_enum(collection, ("regular", "customer_support"), "collection")
    try:
        limit = int(query.get("limit", 100))
        start = int(query.get("offset") or 0)
    except ValueError:
        raise bad("Invalid request: limit and offset must be integers") from None
    if limit < 1 or start < 0:
        raise bad("Invalid request: limit must be at least 1 and offset at least 0")
    texts = _chunk_texts(doc) if doc["status"] == "ready" and collection == "regular" else []
    items = [
        {
            "chunk_id": f"{doc['document_id']}-{n}",
            "content": text,
            "metadata": {"document_id": doc["document_id"], "index": n},
        }
        for n, text in enumerate(texts)
    ][start : start + limit]
    end = start + len(items)
    out = {"chunks": items, "next_offset": str(end) if end < len(texts) else None}
    return ctx.json(request, out)
