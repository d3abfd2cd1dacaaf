"""Tavus's stock (system) replicas, personas and voices, as the docs' own examples use them.

The ids are the ones that appear in docs.tavus.io examples (see shared/tavus-docs/pages), so a
request copied from the docs, such as ``{"persona_id": "pdced222244b", "replica_id":
"rfe12d8b9597"}``, runs unchanged against the simulator.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ._store import Store

__all__ = ["STOCK_PERSONAS", "STOCK_REPLICAS", "STOCK_VOICES", "seed_store"]

# (replica_id, name): names are only known for some; the rest get a neutral stock name.
STOCK_REPLICAS: list[tuple[str, str]] = [
    ("rfe12d8b9597", "Nathan"),
    ("r90bbd427f71", "Anna"),
    ("r665388ec672", "Olivia"),
    ("rf4e9d9790f0", "Charlie"),
    ("rf4703150052", "Mary"),
    ("r9d30b0e55ac", "Steph"),
    ("r95fd27b5a37", "Emma"),
    ("r18e9aebdc33", "Ben"),
    ("r4067604db72", "Rose"),
]

# (persona_id, name, default_replica_id, system_prompt, pipeline_mode)
STOCK_PERSONAS: list[tuple[str, str, str, str, str]] = [
    (
        "pdced222244b",
        "Sales Coach",
        "rfe12d8b9597",
        "You are a sales coach. Help the user practise handling objections and closing deals.",
        "full",
    ),
    (
        "pcb7a34da5fe",
        "Tavus Researcher",
        "r90bbd427f71",
        "You are a friendly researcher who explains Tavus and conversational video.",
        "full",
    ),
    (
        "pe13ed370726",
        "AI Interviewer",
        "r9d30b0e55ac",
        "You are an interviewer. Ask structured questions one at a time and listen closely.",
        "full",
    ),
    (
        "pc55154f229a",
        "History Teacher",
        "r665388ec672",
        "You are a history teacher who brings historical events to life.",
        "full",
    ),
    (
        "p596401c2cf9",
        "Customer Service Agent",
        "rf4703150052",
        "You are a patient customer service agent.",
        "full",
    ),
    (
        "pb87e71797da",
        "Echo PAL",
        "r4067604db72",
        "",
        "echo",
    ),
    # Stock PALs the 2026 docs list (docs.tavus.io .../pal/stock-pals); their names are not
    # given there.
    ("p1af207b8189", "Stock PAL 1", "r95fd27b5a37", "You are a helpful assistant.", "full"),
    ("paaee96e4f87", "Stock PAL 2", "r18e9aebdc33", "You are a helpful assistant.", "full"),
    ("pdac61133ac5", "Stock PAL 3", "rf4e9d9790f0", "You are a helpful assistant.", "full"),
    # pipecat's TavusVideoService creates its conversations with persona_id="pipecat0" (a
    # stock PAL that streams pipecat's own audio: echo mode).
    (
        "pipecat0",
        "Pipecat",
        "r4067604db72",
        "",
        "echo",
    ),
]

STOCK_VOICES: list[tuple[str, str, list[str]]] = [
    ("anna", "r90bbd427f71", ["female", "american"]),
    ("ben", "r18e9aebdc33", ["male", "british"]),
    ("charlie", "rf4e9d9790f0", ["male", "american"]),
    ("emma", "r95fd27b5a37", ["female", "british"]),
    ("mary", "rf4703150052", ["female", "american"]),
    ("nathan", "rfe12d8b9597", ["male", "american"]),
    ("olivia", "r665388ec672", ["female", "australian"]),
    ("rose", "r4067604db72", ["female", "american"]),
    ("steph", "r9d30b0e55ac", ["female", "canadian"]),
]


def _persona_layers(mode: str) -> dict[str, Any]:
    if mode == "echo":
        return {"transport": {"transport_type": "daily"}}
    return {
        "llm": {"model": "tavus-gpt-oss", "speculative_inference": True},
        "tts": {"tts_engine": "cartesia", "tts_emotion_control": True},
        "perception": {"perception_model": "raven-1"},
        "stt": {"stt_engine": "tavus-auto"},
    }


def seed_store(store: Store) -> None:
    """Fill ``store`` with the stock replicas, personas and voices (type ``system``)."""
    created = "2024-08-01T00:00:00.000Z"
    for replica_id, name in STOCK_REPLICAS:
        store.replicas[replica_id] = {
            "replica_id": replica_id,
            "replica_name": name,
            "thumbnail_video_url": f"https://cdn.replica.tavus.io/stock/{replica_id}.mp4",
            "training_progress": "100/100",
            "status": "completed",
            "created_at": created,
            "updated_at": created,
            "error_message": None,
            "replica_type": "system",
            "model_name": "phoenix-3",
        }
    for persona_id, name, replica_id, prompt, mode in STOCK_PERSONAS:
        store.personas[persona_id] = {
            "persona_id": persona_id,
            "persona_name": name,
            "system_prompt": prompt,
            "pipeline_mode": mode,
            "context": "",
            "default_replica_id": replica_id,
            "document_ids": [],
            "document_tags": [],
            "layers": _persona_layers(mode),
            "persona_type": "system",
            "created_at": "2024-08-01T00:00:00.000000Z",
            "updated_at": "2024-08-01T00:00:00.000000Z",
        }
    for voice_name, replica_id, tags in STOCK_VOICES:
        store.voices.append(
            {
                # The 2026 voice object's fields beside the stock list's (api-2026-surface §5);
                # a stable id per name, so a stock voice keeps its id across runs.
                "voice_id": "v" + hashlib.sha256(voice_name.encode()).hexdigest()[:12],
                "voice_type": "system",
                "status": "completed",
                "created_at": "2024-08-01T00:00:00.000000",
                "voice_name": voice_name,
                "replica_id": replica_id,
                "audio_url": f"https://cdn.replica.tavus.io/voices/{voice_name}.mp3",
                "tags": [{"tag_name": t} for t in tags],
            }
        )
