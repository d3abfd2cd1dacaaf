"""A persona's ``layers``: LLM (with tools), TTS, STT, perception, conversational flow, transport.

Every field is optional and every enumeration (model names, engines, sensitivities) is an open
``str``: Tavus adds values often, and the documentation itself uses values outside its own enums.
Perception takes both vocabularies: raven-0 (``ambient_awareness_queries``,
``perception_tools``...) and raven-1 (``visual_*`` and ``audio_*``).

Provider keys (``llm.api_key``, ``tts.api_key``) and LLM ``headers`` are masked in ``repr``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

from ._common import Model

__all__ = [
    "ConversationalFlowLayer",
    "LLMLayer",
    "Layers",
    "PerceptionLayer",
    "STTLayer",
    "TTSLayer",
    "Tool",
    "ToolFunction",
    "TransportLayer",
]


class ToolFunction(Model, kw_only=True, omit_defaults=True):
    """An OpenAI-style function definition.

    Attributes:
        name: The function name the model calls.
        description: What the function does (the model reads it).
        parameters: A JSON Schema object for the arguments.
    """

    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class Tool(Model, kw_only=True, omit_defaults=True):
    """A tool the LLM or the perception model may call: ``{"type": "function", "function": {...}}``.

    OAS26 also documents perception tools as a flat ``{name, description}``; both are accepted.
    """

    type: str | msgspec.UnsetType = msgspec.UNSET
    function: ToolFunction | None = None
    name: str | None = None
    description: str | None = None

    def __post_init__(self) -> None:
        # Always send "type": a default would be left out of the body by omit_defaults.
        if self.type is msgspec.UNSET and self.function is not None:
            self.type = "function"

    @property
    def tool_name(self) -> str | None:
        """The tool's name, whichever shape it came in."""
        return self.function.name if self.function is not None else self.name


class LLMLayer(Model, kw_only=True, omit_defaults=True):
    """``layers.llm``: which language model answers, and the tools it may call.

    Attributes:
        model: e.g. ``tavus-gpt-oss``, ``tavus-gpt-4o``, ``tavus-claude-haiku-4.5``, or your own
            model's name when ``base_url`` points at an OpenAI-compatible server.
        base_url: A custom OpenAI-compatible endpoint (must stream ``/chat/completions``).
        api_key: The key for ``base_url`` (masked in repr).
        speculative_inference: Start answering before the user finishes (Tavus default true).
        tools: Function tools; calls arrive as ``conversation.tool_call`` events.
        headers: Extra headers for ``base_url`` (masked in repr).
        extra_body: Extra request fields (``temperature``, ``top_p``...).
        default_query: Extra query parameters for ``base_url``.
    """

    __secret_fields__: ClassVar[frozenset[str]] = frozenset({"api_key", "headers"})

    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None
    speculative_inference: bool | None = None
    tools: list[Tool] | None = None
    headers: dict[str, str] | None = None
    extra_body: dict[str, Any] | None = None
    default_query: dict[str, Any] | None = None
    # Seen in the official CLI's model, not in the public docs.
    disable_vision: bool | None = None
    enable_llm_proxy: bool | None = None
    model_name: str | None = None
    is_custom: bool | None = None
    endpoint: str | None = None


class TTSLayer(Model, kw_only=True, omit_defaults=True):
    """``layers.tts``: the voice.

    Attributes:
        tts_engine: ``cartesia`` or ``elevenlabs`` (older docs: ``playht``).
        external_voice_id: The provider's voice id.
        api_key: The provider key, only for private voices (masked in repr).
        voice_settings: Provider settings (Cartesia speed/emotion, ElevenLabs stability...).
        tts_emotion_control: Let the replica's emotion drive the voice (Tavus default true).
        tts_model_name: e.g. ``sonic``, ``sonic-3``.
        pronunciation_dictionary_id: A pronunciation dictionary to apply.
    """

    __secret_fields__: ClassVar[frozenset[str]] = frozenset({"api_key"})

    tts_engine: str | None = None
    external_voice_id: str | None = None
    api_key: str | None = None
    voice_settings: dict[str, Any] | None = None
    tts_emotion_control: bool | None = None
    tts_model_name: str | None = None
    pronunciation_dictionary_id: str | None = None
    voice_id: str | None = None
    playht_user_id: str | None = None


class STTLayer(Model, kw_only=True, omit_defaults=True):
    """``layers.stt``: speech recognition.

    Attributes:
        stt_engine: ``tavus-auto`` (default), ``tavus-parakeet``, ``tavus-soniox``,
            ``tavus-whisper``, ``tavus-deepgram-medical``; older ``tavus-turbo``/``tavus-advanced``.
        hotwords: Words to favour, as one string.
        participant_pause_sensitivity: Legacy turn-taking (now on ``conversational_flow``).
        participant_interrupt_sensitivity: Legacy turn-taking.
        smart_turn_detection: Legacy turn-taking.
    """

    stt_engine: str | None = None
    hotwords: str | None = None
    participant_pause_sensitivity: str | None = None
    participant_interrupt_sensitivity: str | None = None
    smart_turn_detection: bool | None = None


class PerceptionLayer(Model, kw_only=True, omit_defaults=True):
    """``layers.perception``: what the replica sees and hears, in both vocabularies.

    Attributes:
        perception_model: ``raven-1`` (current default), ``raven-0``, ``basic`` or ``off``.
        visual_awareness_queries: raven-1: questions asked about the video continuously.
        visual_tool_prompt: raven-1: when to call ``visual_tools``.
        visual_tools: raven-1: tools called on visual cues.
        audio_awareness_queries: raven-1: questions asked about the audio (tone, pace).
        audio_tool_prompt: raven-1: when to call ``audio_tools``.
        audio_tools: raven-1: tools called on audio cues.
        ambient_awareness_queries: raven-0: questions asked about the video.
        perception_analysis_queries: raven-0: questions answered in the end-of-call analysis.
        perception_tool_prompt: raven-0: when to call ``perception_tools``.
        perception_tools: raven-0: tools called on visual cues.
    """

    perception_model: str | None = None
    # raven-1
    visual_awareness_queries: list[str] | None = None
    visual_tool_prompt: str | None = None
    visual_tools: list[Tool] | None = None
    audio_awareness_queries: list[str] | None = None
    audio_tool_prompt: str | None = None
    audio_tools: list[Tool] | None = None
    # raven-0
    ambient_awareness_queries: list[str] | None = None
    perception_analysis_queries: list[str] | None = None
    perception_tool_prompt: str | None = None
    perception_tools: list[Tool] | None = None
    # Seen in the CLI and newer docs.
    tool_prompt: str | None = None
    emotion_recognition: str | None = None


class ConversationalFlowLayer(Model, kw_only=True, omit_defaults=True):
    """``layers.conversational_flow``: turn-taking. Absent means inactive.

    Attributes:
        turn_detection_model: ``sparrow-1`` (default), ``sparrow-0``, older ``time-based``.
        turn_taking_patience: ``low`` / ``medium`` / ``high``.
        replica_interruptibility: ``low`` / ``medium`` / ``high`` (docs also show ``verylow``).
        pal_interruptibility: The 2026 name of ``replica_interruptibility``.
        voice_isolation: ``off`` / ``near``.
        wake_phrase: A phrase that wakes an idle replica.
        idle_engagement: ``off`` / ``patient`` / ``eager``.
    """

    turn_detection_model: str | None = None
    turn_taking_patience: str | None = None
    replica_interruptibility: str | None = None
    pal_interruptibility: str | None = None
    voice_isolation: str | None = None
    wake_phrase: str | None = None
    idle_engagement: str | None = None
    # In examples and the CLI; their types are not documented, so any JSON value is kept.
    turn_commitment: Any = None
    active_listening: Any = None
    face_interruptibility: Any = None
    noise_cancellation: Any = None
    sleep_phrase: Any = None


class TransportLayer(Model, kw_only=True, omit_defaults=True):
    """``layers.transport``: ``transport_type="livekit"`` for the LiveKit integration, and room UI.

    Attributes:
        transport_type: e.g. ``livekit``.
        input_settings: e.g. ``{"microphone": ...}``.
        room_settings: Daily room UI switches (``enable_chat``, ``start_video_off``...).
    """

    transport_type: str | None = None
    input_settings: dict[str, Any] | None = None
    room_settings: dict[str, Any] | None = None


class Layers(Model, kw_only=True, omit_defaults=True):
    """A persona's ``layers``. Every layer is optional; Tavus fills defaults for the missing ones.

    Example::

        Layers(
            llm=LLMLayer(model="tavus-gpt-4o", tools=[Tool(function=ToolFunction(name="f"))]),
            perception=PerceptionLayer(perception_model="raven-1"),
        )
    """

    llm: LLMLayer | None = None
    tts: TTSLayer | None = None
    stt: STTLayer | None = None
    perception: PerceptionLayer | None = None
    conversational_flow: ConversationalFlowLayer | None = None
    transport: TransportLayer | None = None
    # Layers only the official CLI knows; kept as plain objects.
    sts: dict[str, Any] | None = None
    conferencing: dict[str, Any] | None = None
    capabilities: dict[str, Any] | None = None
    knowledge_base: dict[str, Any] | None = None
    mcp: dict[str, Any] | None = None
