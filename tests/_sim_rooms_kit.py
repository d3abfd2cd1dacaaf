"""Shared helpers for the simulator room tests: a RoomHub on a real aiohttp server, raw clients."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import anyio
from aiohttp import web

from tavus_async.testing._clock import SimClock, TimeMode
from tavus_async.testing._rooms import RoomHub

Frame = dict[str, Any]


class FakeHooks:
    """Stands in for the REST half: records what the rooms report, ends like the REST end does."""

    def __init__(self, clock: SimClock) -> None:
        self.clock = clock
        self.hub: RoomHub | None = None
        self.joined: list[str] = []
        self.transcripts: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.ended: list[tuple[str, str]] = []

    def on_replica_joined(self, conversation_id: str) -> None:
        self.joined.append(conversation_id)

    def on_transcript(self, conversation_id: str, role: str, content: str) -> None:
        self.transcripts[conversation_id].append((role, content))

    async def end_conversation(self, conversation_id: str, reason: str) -> None:
        self.ended.append((conversation_id, reason))
        assert self.hub is not None
        await self.hub.close(conversation_id, reason)

    def attached_tools(self, persona: dict[str, Any]) -> list[dict[str, Any]]:
        return []  # no REST half: no registry tools

    async def deliver_tool(
        self, tool: dict[str, Any], arguments: dict[str, Any], conversation_id: str
    ) -> tuple[Any, str]:
        raise AssertionError("FakeHooks has no registry tools to deliver")


class RoomClient:
    """One participant over a raw WebSocket, with bounded waits for frames."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse[Any]) -> None:
        self.ws = ws
        self.pid = ""
        self.replica_pid: str | None = None
        self.inbox: list[Frame] = []
        self.joined: Frame = {}
        self._ids = itertools.count(1)

    async def _recv(self) -> Frame:
        msg = await self.ws.receive()
        if msg.type is aiohttp.WSMsgType.TEXT:
            frame: Frame = json.loads(msg.data)
            self._observe(frame)
            return frame
        if msg.type in (
            aiohttp.WSMsgType.CLOSE,
            aiohttp.WSMsgType.CLOSING,
            aiohttp.WSMsgType.CLOSED,
        ):
            return {"type": "_closed", "code": self.ws.close_code}
        raise AssertionError(f"unexpected websocket message {msg.type!r}")

    def _observe(self, frame: Frame) -> None:
        if frame.get("type") == "participant-joined" and frame["participant"]["is_replica"]:
            self.replica_pid = frame["participant"]["participant_id"]
        if frame.get("type") == "joined":
            for p in frame["participants"]:
                if p["is_replica"]:
                    self.replica_pid = p["participant_id"]

    async def wait(self, pred: Callable[[Frame], bool], timeout: float = 5.0) -> Frame:
        """The first frame (buffered or new) that matches; others stay buffered in order."""
        for i, frame in enumerate(self.inbox):
            if pred(frame):
                return self.inbox.pop(i)
        with anyio.fail_after(timeout):
            while True:
                frame = await self._recv()
                if pred(frame):
                    return frame
                if frame["type"] == "_closed":
                    raise AssertionError(f"socket closed ({frame['code']}) while waiting")
                self.inbox.append(frame)

    def is_event(self, frame: Frame, event_type: str | None = None) -> bool:
        """Whether ``frame`` is a replica app-message (of ``event_type`` when given)."""
        if frame.get("type") != "app-message" or frame.get("from") != self.replica_pid:
            return False
        data = frame.get("data")
        return isinstance(data, dict) and (event_type is None or data["event_type"] == event_type)

    async def event(self, event_type: str, timeout: float = 5.0, **props: Any) -> Frame:
        """The next replica event of ``event_type`` whose properties include ``props``."""

        def match(f: Frame) -> bool:
            if not self.is_event(f, event_type):
                return False
            got = f["data"].get("properties", {})
            return all(got.get(k) == v for k, v in props.items())

        frame = await self.wait(match, timeout)
        data: Frame = frame["data"]
        return data

    async def events_until(
        self, pred: Callable[[Frame], bool], timeout: float = 5.0
    ) -> list[Frame]:
        """Replica events in arrival order up to and including the first matching one."""
        out: list[Frame] = []
        with anyio.fail_after(timeout):
            while True:
                frame = await self.wait(self.is_event)
                out.append(frame["data"])
                if pred(frame["data"]):
                    return out

    async def peer_message(self, timeout: float = 5.0) -> Frame:
        """The next app-message from a participant other than the replica."""
        return await self.wait(
            lambda f: f.get("type") == "app-message" and f.get("from") != self.replica_pid,
            timeout,
        )

    async def send(self, data: Any, recipient: str = "*") -> Frame:
        """Send an app-message and return its ack."""
        msg_id = str(next(self._ids))
        await self.ws.send_str(
            json.dumps({"type": "app-message", "id": msg_id, "recipient": recipient, "data": data})
        )
        return await self.wait(lambda f: f.get("type") == "ack" and f.get("id") == msg_id)

    async def interact(self, event_type: str, conversation_id: str, **properties: Any) -> Frame:
        """Broadcast one Tavus interaction and return its ack."""
        data: Frame = {
            "message_type": "conversation",
            "event_type": event_type,
            "conversation_id": conversation_id,
        }
        if properties:
            data["properties"] = properties
        return await self.send(data)

    async def closed(self, timeout: float = 5.0) -> int | None:
        """Wait for the server to close the socket; returns the close code."""
        await self.wait(lambda f: f["type"] == "_closed", timeout)
        return self.ws.close_code


@dataclass
class Kit:
    hub: RoomHub
    hooks: FakeHooks
    clock: SimClock
    url: str
    session: aiohttp.ClientSession
    clients: list[RoomClient] = field(default_factory=list)

    def open(
        self,
        cid: str = "c123",
        *,
        greeting: str | None = "Hi there, welcome!",
        persona: Frame | None = None,
        **extra: Any,
    ) -> str:
        properties = extra.pop("properties", {})
        conversation: Frame = {
            "conversation_id": cid,
            "replica_id": "r_test",
            "custom_greeting": greeting,
            "properties": properties,
            **extra,
        }
        self.hub.open(conversation, persona)
        return cid

    async def until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Poll ``condition`` (server-side state) until it holds, boundedly."""
        # The server exposes no event for these states; polling is bounded and test-only.
        with anyio.fail_after(timeout):
            while not condition():  # noqa: ASYNC110
                await anyio.sleep(0.005)

    async def connect(
        self, cid: str = "c123", *, name: str = "guest", token: str | None = None
    ) -> RoomClient:
        """Open a socket without waiting for ``joined`` (for refusal tests)."""
        params = {"name": name}
        if token is not None:
            params["t"] = token
        ws = await self.session.ws_connect(f"{self.url}/rooms/{cid}", params=params)
        client = RoomClient(ws)
        self.clients.append(client)
        return client

    async def join(
        self, cid: str = "c123", *, name: str = "guest", token: str | None = None
    ) -> RoomClient:
        client = await self.connect(cid, name=name, token=token)
        joined = await client.wait(lambda f: f["type"] in ("joined", "error"))
        assert joined["type"] == "joined", joined
        client.joined = joined
        client.pid = joined["participant_id"]
        return client


@asynccontextmanager
async def room_server(time: TimeMode = "instant") -> AsyncIterator[Kit]:
    """A RoomHub served on 127.0.0.1 (free port) with fake REST hooks, and a client session."""
    clock = SimClock(time)
    await clock.start()
    hooks = FakeHooks(clock)
    hub = RoomHub(hooks, clock)
    hooks.hub = hub
    app = web.Application()
    app.router.add_get("/rooms/{conversation_id}", hub.handle_ws)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    assert site._server is not None
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
    session = aiohttp.ClientSession()
    kit = Kit(hub, hooks, clock, f"ws://127.0.0.1:{port}", session)
    try:
        yield kit
    finally:
        for client in kit.clients:
            await client.ws.close()
        await session.close()
        await hub.aclose()
        await runner.cleanup()
        await clock.stop()
