"""``/v2/objectives``: objectives sets (shared behaviour in :mod:`._sets`)."""

from __future__ import annotations

from aiohttp import web

from . import _sets
from ._plumbing import Ctx, Handlers

__all__ = ["HANDLERS"]

HANDLERS = Handlers()
_KIND = "objectives"


@HANDLERS.verb("create")
async def create(ctx: Ctx, request: web.Request) -> web.Response:
    return await _sets.create(ctx, request, _KIND)


@HANDLERS.verb("list")
async def list_(ctx: Ctx, request: web.Request) -> web.Response:
    return await _sets.list_(ctx, request, _KIND)


@HANDLERS.verb("get")
async def get(ctx: Ctx, request: web.Request) -> web.Response:
    return await _sets.get(ctx, request, _KIND)


@HANDLERS.verb("patch")
async def patch(ctx: Ctx, request: web.Request) -> web.StreamResponse:
    return await _sets.patch(ctx, request, _KIND)


@HANDLERS.verb("delete")
async def delete(ctx: Ctx, request: web.Request) -> web.Response:
    return await _sets.delete(ctx, request, _KIND)
