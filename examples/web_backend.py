"""A web backend that starts Tavus conversations for its users and follows them by webhook.

An aiohttp app with one ``AsyncTavus`` client for its whole life::

    POST /users/{user_id}/conversations             start one; answers its URL (201)
    GET  /users/{user_id}/conversations             the user's conversations, newest first, with
                                                    what the webhooks said (status, shutdown
                                                    reason, transcript length)
    POST /users/{user_id}/conversations/{id}/end    end one: "ending" until the shutdown
                                                    webhook says "ended"
    POST /webhooks/tavus?token=...                  Tavus's callbacks (webhooks.aiohttp_handler)

Run it::

    python examples/web_backend.py --port 8000        # embedded simulator, no account needed
    curl -X POST localhost:8000/users/ada/conversations
    curl localhost:8000/users/ada/conversations

Against Tavus, set ``TAVUS_API_KEY`` and ``TAVUS_PERSONA_ID`` (``TAVUS_REPLICA_ID`` optional) and
pass ``--public-url``, the https URL where Tavus reaches this app (a tunnel in development). The
webhook secret comes from ``TAVUS_WEBHOOK_SECRET`` (generated when unset); it only ever travels in
the callback URLs this app gives Tavus, and is never printed or logged. ``--port 0`` picks a free
port. Stop with Ctrl-C.

Statuses are what Tavus told the app, not guesses: ``active`` from the create call, ``ending``
after this app asked to end it, ``ended`` (with Tavus's ``shutdown_reason``) from the webhook,
whoever ended it (this app, the user leaving, ``max_call_duration``...).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tavus_async import (
    APIConnectionError,
    APIStatusError,
    AsyncTavus,
    ConcurrencyLimitError,
    NotFoundError,
    webhooks,
)

WEBHOOK_PATH = "/webhooks/tavus"
USER_ID = r"{user_id:[A-Za-z0-9_.-]{1,64}}"
log = logging.getLogger("web_backend")


@dataclass
class ConversationRecord:
    """What the backend knows about one conversation: from the create call, then webhooks."""

    conversation_id: str
    user_id: str
    conversation_url: str | None
    status: str = "active"
    created_at: float = field(default_factory=time.time)
    shutdown_reason: str | None = None
    shutdown_kind: str | None = None
    transcript_turns: int | None = None
    recording_uri: str | None = None
    webhooks: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The record as the API shows it."""
        return {
            "conversation_id": self.conversation_id,
            "conversation_url": self.conversation_url,
            "status": self.status,
            "created_at": self.created_at,
            "shutdown_reason": self.shutdown_reason,
            "shutdown_kind": self.shutdown_kind,
            "transcript_turns": self.transcript_turns,
            "recording_uri": self.recording_uri,
            "webhooks": list(self.webhooks),
        }


class ConversationBook:
    """Every conversation this process started, by id and by user, updated by webhooks.

    In memory for the example; a real backend keeps this in its database. A callback can
    beat the create call's answer back to us, so events for an id not (yet) known are held,
    boundedly, and replayed when it is registered; what overflows is counted, not lost quietly.
    """

    MAX_EARLY = 1000

    def __init__(self) -> None:
        self.by_id: dict[str, ConversationRecord] = {}
        self.by_user: dict[str, list[str]] = {}
        self._early: OrderedDict[str, list[webhooks.WebhookEvent]] = OrderedDict()
        self.unmatched_dropped = 0
        self.ignored = 0

    def add(self, record: ConversationRecord) -> None:
        """Register a new conversation and apply any webhook that arrived before it."""
        self.by_id[record.conversation_id] = record
        self.by_user.setdefault(record.user_id, []).append(record.conversation_id)
        for event in self._early.pop(record.conversation_id, []):
            self.apply(event)

    def for_user(self, user_id: str) -> list[ConversationRecord]:
        """The user's conversations, newest first."""
        return [self.by_id[cid] for cid in reversed(self.by_user.get(user_id, []))]

    def apply(self, event: webhooks.WebhookEvent) -> None:
        """Update a conversation from one webhook."""
        cid = getattr(event, "conversation_id", None)
        if not isinstance(cid, str):
            self.ignored += 1  # replica/video/document callbacks: not this app's business
            log.info("ignored webhook %s", type(event).__name__)
            return
        record = self.by_id.get(cid)
        if record is None:
            self._early.setdefault(cid, []).append(event)
            while len(self._early) > self.MAX_EARLY:
                _, dropped = self._early.popitem(last=False)
                self.unmatched_dropped += len(dropped)
                log.warning("dropped %d webhooks for an unknown conversation", len(dropped))
            return
        record.webhooks.append(getattr(event, "event_type", None) or type(event).__name__)
        match event:
            case webhooks.ShutdownWebhook():
                record.status = "ended"
                record.shutdown_reason = event.shutdown_reason
                record.shutdown_kind = event.reason_kind.value
            case webhooks.TranscriptionReady():
                record.transcript_turns = len(event.turns())
            case webhooks.RecordingReady():
                record.recording_uri = event.uri
            case webhooks.UnknownWebhook():
                log.info("unrecognised webhook for %s: %s", cid, event.reason)
        log.info("webhook %s for %s (user %s)", record.webhooks[-1], cid, record.user_id)


@dataclass
class Settings:
    """The app's configuration; ``public_url`` is filled in once the port is bound."""

    secret: str
    public_url: str | None = None
    persona_id: str | None = None
    replica_id: str | None = None


SETTINGS = web.AppKey("settings", Settings)
BOOK = web.AppKey("book", ConversationBook)
TAVUS = web.AppKey("tavus", AsyncTavus)
RECEIVER = web.AppKey("receiver", webhooks.WebhookHandler)


async def tavus_client(app: web.Application) -> AsyncIterator[None]:
    """The app's one AsyncTavus client: Tavus with TAVUS_API_KEY, else an embedded simulator."""
    settings = app[SETTINGS]
    async with contextlib.AsyncExitStack() as stack:
        if os.environ.get("TAVUS_API_KEY"):
            tavus = await stack.enter_async_context(AsyncTavus())
            settings.persona_id = settings.persona_id or os.environ.get("TAVUS_PERSONA_ID")
            if not settings.persona_id:
                raise SystemExit("set TAVUS_PERSONA_ID to the persona your users talk to")
            print("using the Tavus API", flush=True)
        else:
            from tavus_async.testing import TavusSimulator

            sim = await stack.enter_async_context(TavusSimulator())
            tavus = await stack.enter_async_context(sim.client())
            if settings.persona_id is None:
                replica = (await tavus.replicas.list(replica_type="system", limit=1)).data[0]
                persona = await tavus.personas.create(
                    persona_name="Web backend guide",
                    system_prompt="You are a friendly guide.",
                    default_replica_id=replica.replica_id,
                )
                settings.persona_id = persona.persona_id
            print(f"using the embedded Tavus simulator at {sim.base_url}", flush=True)
        app[TAVUS] = tavus
        yield
    # Leaving the stack closed the client's session, then stopped the simulator.


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def create_conversation(request: web.Request) -> web.Response:
    """Start a conversation for a user; its webhooks come back to this app."""
    user_id = request.match_info["user_id"]
    settings = request.app[SETTINGS]
    options: dict[str, Any] = {}
    if request.can_read_body:
        try:
            body = await request.json()
        except ValueError:
            return _error(400, 'the body must be JSON, e.g. {"conversation_name": "Demo"}')
        if not isinstance(body, dict):
            return _error(400, "the body must be a JSON object")
        for key in ("conversation_name", "custom_greeting", "conversational_context"):
            if key in body:
                if not isinstance(body[key], str):
                    return _error(400, f"{key} must be a string")
                options[key] = body[key]
        unknown = sorted(set(body) - set(options))
        if unknown:
            return _error(
                400,
                f"unknown fields {unknown}; allowed: conversation_name, "
                "custom_greeting, conversational_context",
            )
    if settings.public_url is None:
        return _error(503, "the server is still starting")
    hook = webhooks.callback_url(settings.public_url + WEBHOOK_PATH, settings.secret)
    options.setdefault("conversation_name", f"conversation for {user_id}")
    if settings.replica_id:
        options["replica_id"] = settings.replica_id
    try:
        conv = await request.app[TAVUS].conversations.create(
            persona_id=settings.persona_id, callback_url=hook, **options
        )
    except ConcurrencyLimitError:
        return _error(429, "too many conversations are running; end one and try again")
    except APIStatusError as exc:
        log.warning("creating a conversation for %s failed: %s", user_id, exc)
        return _error(502, f"Tavus refused the conversation: {exc.server_message or exc}")
    except APIConnectionError as exc:
        log.warning("creating a conversation for %s failed: %s", user_id, exc)
        return _error(502, "Tavus could not be reached; try again")
    record = ConversationRecord(conv.conversation_id, user_id, conv.conversation_url)
    request.app[BOOK].add(record)
    log.info("created %s for user %s", conv.conversation_id, user_id)
    return web.json_response(record.as_json(), status=201)


async def list_conversations(request: web.Request) -> web.Response:
    """The user's conversations with what the webhooks reported."""
    records = request.app[BOOK].for_user(request.match_info["user_id"])
    return web.json_response({"conversations": [r.as_json() for r in records]})


async def end_conversation(request: web.Request) -> web.Response:
    """End one of the user's conversations."""
    book = request.app[BOOK]
    record = book.by_id.get(request.match_info["conversation_id"])
    if record is None or record.user_id != request.match_info["user_id"]:
        return _error(404, "no such conversation for this user")
    if record.status == "active":
        try:
            await request.app[TAVUS].conversations.end(record.conversation_id)
        except NotFoundError:
            pass  # already gone on Tavus's side: the shutdown webhook tells why
        except (APIStatusError, APIConnectionError) as exc:
            log.warning("ending %s failed: %s", record.conversation_id, exc)
            return _error(502, "Tavus did not end the conversation; try again")
        if record.status == "active":  # the shutdown webhook may already have landed
            record.status = "ending"
    return web.json_response(record.as_json())


def build_app(secret: str) -> web.Application:
    """The application: routes, the webhook receiver and the Tavus client's lifetime."""
    app = web.Application()
    app[SETTINGS] = Settings(secret=secret, replica_id=os.environ.get("TAVUS_REPLICA_ID"))
    app[BOOK] = book = ConversationBook()
    receiver = webhooks.aiohttp_handler(book.apply, secret=secret)
    receiver.attach(app, WEBHOOK_PATH)
    app[RECEIVER] = receiver
    app.cleanup_ctx.append(tavus_client)
    app.router.add_post(f"/users/{USER_ID}/conversations", create_conversation)
    app.router.add_get(f"/users/{USER_ID}/conversations", list_conversations)
    app.router.add_post(f"/users/{USER_ID}/conversations/{{conversation_id}}/end", end_conversation)
    return app


async def serve(host: str, port: int, public_url: str | None) -> None:
    """Run until SIGINT or SIGTERM."""
    if os.environ.get("TAVUS_API_KEY") and not public_url:
        raise SystemExit(
            "with TAVUS_API_KEY set, pass --public-url: the https URL where Tavus can reach "
            "this app's webhooks (127.0.0.1 is not reachable from Tavus)"
        )
    app = build_app(os.environ.get("TAVUS_WEBHOOK_SECRET") or webhooks.generate_secret())
    # The default access log prints query strings, and the webhook token is one.
    runner = web.AppRunner(app, access_log_class=webhooks.SafeAccessLogger)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_host, bound_port = runner.addresses[0][:2]
        local = f"http://{bound_host}:{bound_port}"
        app[SETTINGS].public_url = public_url.rstrip("/") if public_url else local
        print(f"listening on {local}", flush=True)

        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()  # closes the client (and simulator), finishes webhook callbacks
    book = app[BOOK]
    print(
        f"stopped; {len(book.by_id)} conversations, webhooks: {app[RECEIVER].stats.as_dict()}, "
        f"unmatched dropped: {book.unmatched_dropped}",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument(
        "--public-url", help="the URL Tavus reaches this app at (required with TAVUS_API_KEY)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(serve(args.host, args.port, args.public_url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
