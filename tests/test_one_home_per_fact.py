"""One home per fact (issue 12): one timestamp parser, one progress parser and unit, one set of
terminal statuses per resource, one class per concept, and no public name meaning two things.
"""

from __future__ import annotations

import importlib
from datetime import datetime, timezone
from typing import Any

import pytest

from tavus_async import AsyncTavus, webhooks
from tavus_async.errors import JobFailedError
from tavus_async.models import (
    ConversationEvent,
    Document,
    Replica,
    TranscriptEntry,
    Video,
    parse_progress,
    parse_timestamp,
)

#: The namespaces users import public names from.
NAMESPACES = (
    "tavus_async",
    "tavus_async.webhooks",
    "tavus_async.models",
    "tavus_async.interactions",
    "tavus_async.interactions.events",
    "tavus_async.room",
    "tavus_async.errors",
    "tavus_async.testing",
    "tavus_async.fleet",
)


def _clashes(namespaces: tuple[str, ...]) -> dict[str, list[str]]:
    """Public names bound to different objects in different namespaces."""
    where: dict[str, dict[int, list[str]]] = {}
    for modname in namespaces:
        module = importlib.import_module(modname)
        for name in module.__all__:
            obj = getattr(module, name)
            where.setdefault(name, {}).setdefault(id(obj), []).append(modname)
    return {
        name: sorted(m for mods in by_obj.values() for m in mods)
        for name, by_obj in where.items()
        if len(by_obj) > 1
    }


def test_no_public_name_means_two_things() -> None:
    # A `match` on the wrong import never matches: each public name is one object everywhere.
    assert _clashes(NAMESPACES) == {}


def test_the_name_check_finds_a_clash(monkeypatch: pytest.MonkeyPatch) -> None:
    # The check above must be able to fail.
    import tavus_async.testing as testing

    monkeypatch.setattr(testing, "Replica", type("Replica", (), {}), raising=False)
    monkeypatch.setattr(testing, "__all__", [*testing.__all__, "Replica"])
    assert _clashes(("tavus_async.models", "tavus_async.testing")) == {
        "Replica": ["tavus_async.models", "tavus_async.testing"]
    }


def test_events_and_webhooks_have_different_names() -> None:
    from tavus_async.interactions import events

    assert webhooks.ShutdownWebhook.__name__ != events.Shutdown.__name__
    assert webhooks.PerceptionAnalysisWebhook.EVENT_TYPE == "application.perception_analysis"
    assert webhooks.ReplicaJoinedWebhook.EVENT_TYPE == "system.replica_joined"
    for old in ("Shutdown", "PerceptionAnalysis", "ReplicaJoined", "ConversationEvent"):
        assert not hasattr(webhooks, old), old


# --- one timestamp parser ------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["Mon, 14 Jul 2025 09:14:24 GMT", "1752484464", 1752484464, "2025-07-14T09:14:24Z"],
)
def test_webhooks_read_times_with_the_models_parser(raw: object) -> None:
    # Before: the webhooks' parse_time gave None for the RFC 1123 and epoch-string forms.
    expected = datetime(2025, 7, 14, 9, 14, 24, tzinfo=timezone.utc)
    event = webhooks.parse({"event_type": "system.shutdown", "timestamp": raw, "properties": {}})
    assert isinstance(event, webhooks.ShutdownWebhook)
    assert event.occurred_at == expected
    assert parse_timestamp(raw) == expected
    entry = TranscriptEntry(role="user", content="hi", timestamp=raw)  # type: ignore[arg-type]
    assert entry.occurred_at == expected
    assert not hasattr(webhooks, "parse_time")


def test_parse_timestamp_never_raises_on_odd_values() -> None:
    for odd in ({"a": 1}, ["x"], b"2025", True):
        assert parse_timestamp(odd) is None


# --- one progress parser, one unit -----------------------------------------------------------


@pytest.mark.anyio
async def test_waiter_progress_and_model_progress_share_one_unit(
    tavus_client: AsyncTavus, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: models said 0.45 and the waiter's report said 45.0 for the same "45/100".
    replica = Replica(replica_id="r1", training_progress="45/100")
    assert replica.progress == parse_progress("45/100") == 0.45
    assert Document(document_id="d1", progress=45).progress_fraction == 0.45
    assert Video(video_id="v1", generation_progress="45/100").progress == 0.45

    seen: list[Any] = []
    rid = "r" + "0" * 11
    models = iter([Replica(replica_id=rid, status="started", training_progress="45/100")])

    async def get(replica_id: str) -> Replica:
        return next(models, Replica(replica_id=rid, status="completed"))

    monkeypatch.setattr(tavus_client.replicas, "get", get)
    await tavus_client.replicas.wait_until_ready(
        rid, on_progress=seen.append, interval=0.001, max_interval=0.001, timeout=10
    )
    assert [p.fraction for p in seen] == [0.45, 1.0]
    assert [p.percent for p in seen] == [45.0, 100.0]


# --- one set of terminal statuses per resource -------------------------------------------------


@pytest.mark.parametrize("cls", [Replica, Video, Document])
@pytest.mark.parametrize(
    "status", ["completed", "ready", "error", "deleted", "started", "queued", "processing"]
)
def test_is_ready_and_is_failed_follow_the_one_set(cls: type[Any], status: str) -> None:
    id_field = {"Replica": "replica_id", "Video": "video_id", "Document": "document_id"}
    model = cls(**{id_field[cls.__name__]: "x1", "status": status})
    assert model.is_ready is (status in cls.DONE_STATUSES)
    assert model.is_failed is (status in cls.FAILED_STATUSES)
    assert not cls.DONE_STATUSES & cls.FAILED_STATUSES


@pytest.mark.anyio
async def test_a_deleted_video_is_failed_for_the_model_and_the_waiter(
    tavus_client: AsyncTavus, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: the waiter gave up on "deleted" while Video.is_failed said False.
    gone = Video(video_id="v1", status="deleted", status_details="deleted by its owner")
    assert gone.is_failed
    assert not gone.is_ready

    async def get(video_id: str) -> Video:
        return gone

    monkeypatch.setattr(tavus_client.videos, "get", get)
    with pytest.raises(JobFailedError, match="'deleted'") as info:
        await tavus_client.videos.wait_until_ready("v1", interval=0.001, timeout=10)
    assert info.value.status == "deleted"


# --- one class per concept ----------------------------------------------------------------------


def test_webhook_payloads_reuse_the_models_classes() -> None:
    event = webhooks.parse(
        {
            "event_type": "application.transcription_ready",
            "conversation_id": "c1",
            "message_type": "application",
            "timestamp": "2025-07-14T09:14:24Z",
            "properties": {"transcript": [{"role": "user", "content": "hello"}]},
        }
    )
    assert isinstance(event, webhooks.TranscriptionReady)
    assert isinstance(event, ConversationEvent)  # the models' class, as a webhook
    assert isinstance(event, webhooks.ConversationWebhook)
    assert type(event.transcript[0]) is TranscriptEntry
    assert webhooks.TranscriptEntry is TranscriptEntry
    assert event.transcript[0].content == "hello"
