"""The simulator's own routes: ``/_sim/...`` (loopback only) and the rooms' ``/rooms/{id}``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from aiohttp import web

from .rest._plumbing import ApiError, bad

if TYPE_CHECKING:
    from ._simulator import TavusSimulator

__all__ = ["Control"]


class Control:
    """The control handlers, bound to one simulator."""

    def __init__(self, sim: TavusSimulator) -> None:
        self.sim = sim
        self.store = sim.store

    async def sim_counts(self, request: web.Request) -> web.Response:
        sim = self.sim
        return web.json_response(
            {
                "counts": dict(sim.counts),
                "received": dict(sim.received),
                "faults_injected": sim.faults.injected,
                "callbacks": {
                    "delivered": sim.callbacks.delivered,
                    "failed": sim.callbacks.failed,
                    "queued": len(sim.callbacks.deliveries),
                },
                "now": sim.clock.now(),
            }
        )

    async def sim_faults_list(self, request: web.Request) -> web.Response:
        return web.json_response({"data": [r.to_json() for r in self.sim.faults.rules]})

    async def sim_faults_add(self, request: web.Request) -> web.Response:
        try:
            spec = json.loads(await request.read() or b"null")
        except ValueError:
            raise bad("the body must be a JSON fault (route, status, times, ...)") from None
        specs = spec if isinstance(spec, list) else [spec]
        try:
            rules = [self.sim.faults.add_from_json(s) for s in specs if isinstance(s, dict)]
        except (TypeError, ValueError) as exc:
            raise bad(str(exc)) from None
        if len(rules) != len(specs):
            raise bad("each fault must be a JSON object")
        return web.json_response({"data": [r.to_json() for r in rules]}, status=201)

    async def sim_faults_clear(self, request: web.Request) -> web.Response:
        rid = request.match_info.get("fault_id")
        if rid is None:
            self.sim.faults.clear()
        else:
            try:
                self.sim.faults.remove(int(rid))
            except ValueError:
                raise bad("fault id must be an integer") from None
        return web.Response(status=204)

    async def sim_advance(self, request: web.Request) -> web.Response:
        try:
            body = json.loads(await request.read() or b"{}")
            seconds = float(body.get("seconds", request.query.get("seconds", 0)))
        except (ValueError, TypeError, AttributeError):
            raise bad('send {"seconds": <number>}') from None
        if seconds < 0:
            raise bad("seconds must be >= 0")
        await self.sim.advance(seconds)
        return web.json_response({"now": self.sim.clock.now()})

    async def sim_state(self, request: web.Request) -> web.Response:
        return web.json_response(self.store.snapshot())

    async def sim_fail_next(self, request: web.Request) -> web.Response:
        try:
            body = json.loads(await request.read() or b"{}")
            kind, error = body["kind"], body.get("error")
        except (ValueError, KeyError, TypeError):
            raise bad('send {"kind": "training"|"video"|"document", "error": ...}') from None
        actions = {
            "training": self.sim.fail_next_training,
            "video": self.sim.fail_next_video,
            "document": self.sim.fail_next_document,
        }
        if kind not in actions:
            raise bad("kind must be training, video or document")
        actions[kind](error)
        return web.Response(status=204)

    async def rooms_ws(self, request: web.Request) -> web.StreamResponse:
        hub = self.sim.rooms
        if hub is None:
            raise ApiError(404, {"error": "rooms are disabled in this simulator"})
        response: web.StreamResponse = await hub.handle_ws(request)
        return response

    def add_routes(self, app: web.Application) -> None:
        """Add the control routes and the rooms' WebSocket route to ``app``."""
        app.router.add_get("/_sim/counts", self.sim_counts)
        app.router.add_get("/_sim/state", self.sim_state)
        app.router.add_get("/_sim/faults", self.sim_faults_list)
        app.router.add_post("/_sim/faults", self.sim_faults_add)
        app.router.add_delete("/_sim/faults", self.sim_faults_clear)
        app.router.add_delete("/_sim/faults/{fault_id}", self.sim_faults_clear)
        app.router.add_post("/_sim/advance", self.sim_advance)
        app.router.add_post("/_sim/fail-next", self.sim_fail_next)
        app.router.add_get("/rooms/{conversation_id}", self.rooms_ws)
