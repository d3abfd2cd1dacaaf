"""Receive Tavus webhooks and print each one as a typed event.

Run it::

    export TAVUS_WEBHOOK_SECRET=$(python -c "import secrets; print(secrets.token_urlsafe(32))")
    python examples/webhook_server.py --port 8080 --public-url https://my-tunnel.example.com

then pass ``webhooks.callback_url("https://my-tunnel.example.com/webhooks/tavus", secret)`` as
``callback_url`` when you create conversations, replicas, videos or documents. Without
TAVUS_WEBHOOK_SECRET a secret is generated and the full callback URL is printed once.
``--port 0`` picks a free port. Stop with Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal

from aiohttp import web

from tavus_async import webhooks

PATH = "/webhooks/tavus"


def describe(event: webhooks.WebhookEvent) -> str:
    """One line about an event: the interesting part first, then its (secret-free) repr."""
    match event:
        case webhooks.ShutdownWebhook():
            note = f"conversation ended: {event.shutdown_reason} [{event.reason_kind.name}]"
        case webhooks.TranscriptionReady():
            note = f"transcript ready: {len(event.turns())} turns"
        case webhooks.RecordingReady():
            note = f"recording at {event.uri}"
        case webhooks.ReplicaTrainingCallback() | webhooks.VideoCallback():
            note = "succeeded" if event.succeeded else f"status {event.status}"
        case webhooks.UnknownWebhook():
            note = f"not recognised: {event.reason}"
        case _:
            note = type(event).__name__
    return f"{note} | {event!r}"


async def on_event(event: webhooks.WebhookEvent) -> None:
    """Called after Tavus already got its 200; a real app would store or enqueue here."""
    print(describe(event), flush=True)


async def serve(host: str, port: int, public_url: str | None) -> None:
    secret = os.environ.get("TAVUS_WEBHOOK_SECRET")
    generated = not secret
    secret = secret or webhooks.generate_secret()

    app = web.Application()
    receiver = webhooks.aiohttp_handler(on_event, secret=secret)
    receiver.attach(app, PATH)
    # The default access log prints query strings, and the token is one.
    runner = web.AppRunner(app, access_log_class=webhooks.SafeAccessLogger)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_host, bound_port = runner.addresses[0][:2]
    base = (public_url.rstrip("/") if public_url else f"http://{bound_host}:{bound_port}") + PATH

    print(f"listening on {base}", flush=True)
    if generated:
        print(
            f"callback_url (contains the secret): {webhooks.callback_url(base, secret)}", flush=True
        )
    else:
        print("callback_url: this URL plus ?token=$TAVUS_WEBHOOK_SECRET", flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()  # finishes (or cancels) callbacks still running
        print(f"stopped; stats: {receiver.stats.as_dict()}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--public-url", help="the URL Tavus reaches this server at, if proxied")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(serve(args.host, args.port, args.public_url))


if __name__ == "__main__":
    main()
