"""The simulator's HTTP application: Tavus's REST routes, the /_sim control routes and /rooms.

The REST routes come from the resource catalog (:mod:`tavus_async._catalog`): each row's verbs,
under its path and its 2026 aliases, served by the handlers of its module in
:mod:`tavus_async.testing.rest`. Every operation is counted once, here, under its catalog name
(``sim.counts["personas.create"]``), when its handler answers with a 2xx.

Every handler follows rest-api-notes.md (status codes, error bodies, page bases); where the notes
and the OpenAPI document disagree, the choice is named in a comment beside the code.
"""

from __future__ import annotations

import asyncio
import importlib
import ipaddress
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from .._catalog import CATALOG, ResourceDef, Route
from ..errors import NotAvailableError
from ._control import Control
from ._faults import FaultRule
from .rest._plumbing import ApiError, Ctx, Handler, Handlers

if TYPE_CHECKING:
    from ._simulator import TavusSimulator

__all__ = ["build_app", "handlers_of", "rest_routes"]

Endpoint = Callable[[web.Request], Awaitable[web.StreamResponse]]


def handlers_of(row: ResourceDef) -> Handlers:
    """The simulator handlers of a catalog row (``tavus_async/testing/rest/<name>.py``).

    Raises:
        LookupError: The resource has no simulator module.
    """
    try:
        module = importlib.import_module(f"{__package__}.rest.{row.name}")
    except ModuleNotFoundError as exc:
        raise NotAvailableError(
            f"the catalog row {row.name!r} has no simulator module "
            f"tavus_async/testing/rest/{row.name}.py"
        ) from exc
    found: Handlers = module.HANDLERS
    return found


def rest_routes() -> list[tuple[ResourceDef, Route, Handler]]:
    """Every Tavus route the simulator serves: (catalog row, route, handler).

    Raises:
        LookupError: A catalog verb without a handler, or a handler for a verb not in the row.
    """
    out: list[tuple[ResourceDef, Route, Handler]] = []
    for row in CATALOG:
        handlers = handlers_of(row).by_verb
        extra = set(handlers) - set(row.verbs)
        if extra:
            raise NotAvailableError(
                f"simulator handlers for {row.name} verbs not in the catalog: {extra}"
            )
        for route in row.routes():
            handler = handlers.get(route.verb)
            if handler is None:
                raise NotAvailableError(f"the simulator has no handler for {route.operation}")
            out.append((row, route, handler))
    return out


def _is_loopback(remote: str | None) -> bool:
    if not remote:
        return False
    try:
        return ipaddress.ip_address(remote.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _counted(sim: TavusSimulator, ctx: Ctx, operation: str, handler: Handler) -> Endpoint:
    # The one place an operation is counted: after its handler answered with a 2xx (a 304
    # "no change" and every error are not executions).
    async def endpoint(request: web.Request) -> web.StreamResponse:
        response = await handler(ctx, request)
        if 200 <= response.status < 300:
            sim.counts[operation] += 1
        return response

    return endpoint


def _is_public(request: web.Request, public: set[tuple[str, str]]) -> bool:
    resource = request.match_info.route.resource
    if resource is None:
        return False
    return (request.method, resource.canonical.rstrip("/")) in public


def _route_label(request: web.Request) -> str:
    resource = request.match_info.route.resource
    template = resource.canonical if resource is not None else request.path
    return f"{request.method} {template.rstrip('/') or '/'}"


def _fault_response(rule: FaultRule) -> web.Response:
    """The answer of a status fault: its JSON body, its raw bytes, or no body (204, 304)."""
    headers = rule.response_headers()
    assert rule.status is not None
    if rule.status in (204, 304):
        return web.Response(status=rule.status, headers=headers)
    if rule.raw is not None:
        return web.Response(
            status=rule.status, body=rule.raw, headers=headers, content_type="application/json"
        )
    return web.json_response(rule.error_body(), status=rule.status, headers=headers)


async def _serve_dropped(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    """Send the status line, headers and half the body, then cut the connection."""
    body = response.body if isinstance(response, web.Response) else b""
    payload = bytes(body) if isinstance(body, (bytes, bytearray)) else b""
    partial = web.StreamResponse(status=response.status, headers=response.headers)
    partial.content_length = max(len(payload), 2)
    await partial.prepare(request)
    await partial.write(payload[: max(1, len(payload) // 2)])
    if request.transport is not None:
        request.transport.close()
    return partial


def build_app(sim: TavusSimulator) -> web.Application:
    """The aiohttp application serving one simulator."""
    control = Control(sim)
    # What Tavus serves without a key (a deployment's public calls): (method, path template).
    public = {(r.method, r.template) for _, r, _ in rest_routes() if r.public}

    @web.middleware
    async def tavus(request: web.Request, handler: Endpoint) -> web.StreamResponse:
        path = request.path
        if path.startswith("/_sim"):
            if not _is_loopback(request.remote):
                return web.json_response({"error": "control routes are loopback-only"}, status=403)
            return await _run(request, handler)
        if not path.startswith("/v2"):
            return await _run(request, handler)
        authorized = request.headers.get("x-api-key") == sim.api_key
        raw = await request.read()  # aiohttp keeps it: the handler reads it again for free
        sim.requests.record(
            request.method, path, request.query, request.headers, raw, authorized=authorized
        )
        if not authorized and not _is_public(request, public):
            return web.json_response({"message": "Invalid access token"}, status=401)
        sim.received[_route_label(request)] += 1
        rule = sim.faults.take(request.method, path)
        if rule is not None:
            if rule.latency:
                await asyncio.sleep(rule.latency)
                if request.transport is None or request.transport.is_closing():
                    # The client gave up during the stall: the late request does nothing.
                    return web.Response(status=499)
            if rule.drop == "before":
                if request.transport is not None:
                    request.transport.close()
                return web.Response(status=503)
            if rule.status is not None:
                return _fault_response(rule)
        response = await _run(request, handler)
        if rule is not None and rule.drop == "after":
            if request.transport is not None:
                request.transport.close()
            return response
        if rule is not None and rule.drop == "mid":
            return await _serve_dropped(request, response)
        return response

    async def _run(request: web.Request, handler: Endpoint) -> web.StreamResponse:
        try:
            response = await handler(request)
        except ApiError as exc:
            response = web.json_response(exc.body, status=exc.status)
        except web.HTTPException as exc:
            if exc.status == 404:
                response = web.json_response({"error": "Not found"}, status=404)
            elif exc.status == 405:
                response = web.json_response({"error": "Method not allowed"}, status=405)
            else:
                raise
        # Work that fell due (instant mode does all of it at once) runs before the next request.
        await sim.clock.run_due()
        return response

    app = web.Application(middlewares=[tavus])
    contexts: dict[str, Ctx] = {}
    # Fixed paths before templated ones, so /v2/pals/check-username is not read as a pal_id.
    ordered = sorted(rest_routes(), key=lambda r: r[1].template.count("{"))
    for row, route, handler in ordered:
        ctx = contexts.setdefault(row.name, Ctx(sim, row))
        endpoint = _counted(sim, ctx, route.operation, handler)
        # Both trailing-slash forms: tavus-cli posts to /guardrails/, others to /guardrails.
        app.router.add_route(route.method, route.template, endpoint)
        app.router.add_route(route.method, route.template + "/", endpoint)
    control.add_routes(app)
    return app
