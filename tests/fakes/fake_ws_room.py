"""A minimal real WebSocket room server speaking the simulator's room wire protocol (wire.md).

It runs aiohttp on 127.0.0.1 (port 0) so the WebSocketTransport is exercised over real sockets,
with scripted remote participants (a replica, a guest) that tests drive directly.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import defaultdict
from typing import Any

import anyio
from aiohttp import WSMsgType, web

from tavus_async.interactions.messages import DEFAULT_MAX_MESSAGE_BYTES


class FakeWsRoomServer:
    """Serves ``/rooms/<conversation_id>``; use as ``async with``."""

    def __init__(self, conversation_id: str = "c-fake", token: str | None = None) -> None:
        self.conversation_id = conversation_id
        self.token = token
        self.clients: dict[str, tuple[web.WebSocketResponse, dict[str, Any]]] = {}
        self.remotes: dict[str, dict[str, Any]] = {}
        self.inbox: dict[str, list[tuple[Any, str]]] = defaultdict(list)
        self.ack_delay = 0.0
        self.joins: list[dict[str, str]] = []
        self._inbox_changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/rooms/{self.conversation_id}"

    async def __aenter__(self) -> FakeWsRoomServer:
        app = web.Application()
        app.router.add_get("/rooms/{cid}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for ws, _ in list(self.clients.values()):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- scripted participants -----------------------------------------------------------------

    async def add_remote(self, name: str, *, is_replica: bool = False) -> str:
        pid = str(uuid.uuid4())
        info = {"participant_id": pid, "user_name": name, "is_replica": is_replica}
        self.remotes[pid] = info
        await self._broadcast({"type": "participant-joined", "participant": info})
        return pid

    async def remove_remote(self, pid: str, reason: str = "left") -> None:
        info = self.remotes.pop(pid)
        await self._broadcast({"type": "participant-left", "participant": info, "reason": reason})

    async def send_from(self, sender: str, data: Any, recipient: str | None = None) -> None:
        for pid, (ws, _) in list(self.clients.items()):
            if recipient is None or recipient == pid:
                await ws.send_str(json.dumps({"type": "app-message", "from": sender, "data": data}))

    async def end_room(self, reason: str = "end_conversation_endpoint_hit") -> None:
        for ws, _ in list(self.clients.values()):
            await ws.send_str(json.dumps({"type": "room-ended", "reason": reason}))
            await ws.close(code=4000)

    async def drop_connections(self) -> None:
        """Close every socket abruptly, without a room-ended frame."""
        for ws, _ in list(self.clients.values()):
            await ws.close(code=1011)

    async def wait_inbox(self, pid: str, count: int, timeout: float = 5.0) -> list[tuple[Any, str]]:
        with anyio.fail_after(timeout):
            while len(self.inbox[pid]) < count:
                self._inbox_changed.clear()
                await self._inbox_changed.wait()
        return list(self.inbox[pid])

    # -- server --------------------------------------------------------------------------------

    async def _broadcast(self, frame: dict[str, Any], exclude: str | None = None) -> None:
        text = json.dumps(frame)
        for pid, (ws, _) in list(self.clients.items()):
            if pid != exclude and not ws.closed:
                await ws.send_str(text)

    async def _handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.joins.append(dict(request.query))
        if request.match_info["cid"] != self.conversation_id:
            await ws.send_str(
                json.dumps({"type": "error", "code": "not-found", "message": "no such room"})
            )
            await ws.close(code=4404)
            return ws
        if self.token is not None and request.query.get("t") != self.token:
            await ws.send_str(
                json.dumps({"type": "error", "code": "unauthorized", "message": "bad token"})
            )
            await ws.close(code=4401)
            return ws
        pid = str(uuid.uuid4())
        info = {
            "participant_id": pid,
            "user_name": request.query.get("name", ""),
            "is_replica": False,
        }
        others = [i for _, i in self.clients.values()] + list(self.remotes.values())
        await ws.send_str(
            json.dumps(
                {
                    "type": "joined",
                    "participant_id": pid,
                    "participants": others,
                    "conversation_id": self.conversation_id,
                }
            )
        )
        await self._broadcast({"type": "participant-joined", "participant": info})
        self.clients[pid] = (ws, info)
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                if frame.get("type") == "leave":
                    break
                if frame.get("type") == "app-message":
                    await self._app_message(pid, ws, frame)
        finally:
            self.clients.pop(pid, None)
            await self._broadcast(
                {"type": "participant-left", "participant": info, "reason": "left"}
            )
        await ws.close()
        return ws

    async def _app_message(
        self, sender: str, ws: web.WebSocketResponse, frame: dict[str, Any]
    ) -> None:
        data = frame.get("data")
        recipient = frame.get("recipient") or "*"
        error = None
        if len(json.dumps(data, separators=(",", ":")).encode()) > DEFAULT_MAX_MESSAGE_BYTES:
            error = "message too large"
        elif recipient != "*" and recipient not in self.clients and recipient not in self.remotes:
            error = "participant not found"
        else:
            for pid, (other, _) in list(self.clients.items()):
                if pid != sender and recipient in ("*", pid):
                    await other.send_str(
                        json.dumps({"type": "app-message", "from": sender, "data": data})
                    )
            for pid in self.remotes:
                if recipient in ("*", pid):
                    self.inbox[pid].append((data, sender))
            self._inbox_changed.set()
        if self.ack_delay:
            await asyncio.sleep(self.ack_delay)
        if not ws.closed:
            await ws.send_str(json.dumps({"type": "ack", "id": frame.get("id"), "error": error}))
