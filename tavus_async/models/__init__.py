"""msgspec models for every Tavus request and response.

Responses decode leniently (unknown fields ignored, nearly every field optional, timestamps kept as
strings with parsed views). Requests are checked before any I/O; see
:func:`~tavus_async.models._common.build_request`.
"""

from ._common import Model, RequestModel, Timestamped, parse_progress, parse_timestamp
from .conversations import (
    Conversation,
    ConversationCreate,
    ConversationEvent,
    ConversationProperties,
    RecordingStorage,
    TranscriptEntry,
)
from .deployments import (
    Deployment,
    DeploymentConversationEnd,
    DeploymentCreate,
    DeploymentInit,
    DeploymentLimits,
    DeploymentStart,
)
from .documents import (
    CrawlConfig,
    Document,
    DocumentChunk,
    DocumentChunks,
    DocumentCreate,
    DocumentRecrawl,
    DocumentUpdate,
)
from .faces import Face, FaceCreate, FaceUpdate, FaceVoices
from .guardrails import (
    FlatGuardrail,
    FlatGuardrailCreate,
    FlatGuardrailUpdate,
    Guardrail,
    GuardrailsCreate,
    GuardrailSet,
    TagList,
)
from .layers import (
    ConversationalFlowLayer,
    Layers,
    LLMLayer,
    PerceptionLayer,
    STTLayer,
    Tool,
    ToolFunction,
    TransportLayer,
    TTSLayer,
)
from .memory_stores import MemoryStore, MemoryStoreCreate, MemoryStoreUpdate
from .objectives import Objective, ObjectivesCreate, ObjectiveSet, ObjectivesValidation
from .pals import Pal, PalCreate, PalPublished, UsernameCheck
from .patch import Patch, PatchOp, PatchResult, pointer
from .personas import Persona, PersonaCreate
from .pronunciation_dictionaries import (
    PronunciationDictionary,
    PronunciationDictionaryCreate,
    PronunciationRule,
)
from .replicas import Replica, ReplicaCreate, ReplicaProperties
from .skills import Skill, SkillAttachment
from .tools import (
    AccountTool,
    ApiDelivery,
    ApiDeliveryInfo,
    AuthApiKey,
    AuthBasic,
    AuthBearer,
    AuthHmac,
    AuthNone,
    AuthOAuth2ClientCredentials,
    ToolAuth,
    ToolCreate,
    ToolDefinitionError,
    ToolDelivery,
    ToolDeliveryInfo,
    ToolUpdate,
)
from .videos import Video, VideoCreate, VideoProperties
from .voices import Voice, VoiceCreate, VoiceTag, VoiceUpdate

__all__ = [
    "AccountTool",
    "ApiDelivery",
    "ApiDeliveryInfo",
    "AuthApiKey",
    "AuthBasic",
    "AuthBearer",
    "AuthHmac",
    "AuthNone",
    "AuthOAuth2ClientCredentials",
    "Conversation",
    "ConversationCreate",
    "ConversationEvent",
    "ConversationProperties",
    "ConversationalFlowLayer",
    "CrawlConfig",
    "Deployment",
    "DeploymentConversationEnd",
    "DeploymentCreate",
    "DeploymentInit",
    "DeploymentLimits",
    "DeploymentStart",
    "Document",
    "DocumentChunk",
    "DocumentChunks",
    "DocumentCreate",
    "DocumentRecrawl",
    "DocumentUpdate",
    "Face",
    "FaceCreate",
    "FaceUpdate",
    "FaceVoices",
    "FlatGuardrail",
    "FlatGuardrailCreate",
    "FlatGuardrailUpdate",
    "Guardrail",
    "GuardrailSet",
    "GuardrailsCreate",
    "LLMLayer",
    "Layers",
    "MemoryStore",
    "MemoryStoreCreate",
    "MemoryStoreUpdate",
    "Model",
    "Objective",
    "ObjectiveSet",
    "ObjectivesCreate",
    "ObjectivesValidation",
    "Pal",
    "PalCreate",
    "PalPublished",
    "Patch",
    "PatchOp",
    "PatchResult",
    "PerceptionLayer",
    "Persona",
    "PersonaCreate",
    "PronunciationDictionary",
    "PronunciationDictionaryCreate",
    "PronunciationRule",
    "RecordingStorage",
    "Replica",
    "ReplicaCreate",
    "ReplicaProperties",
    "RequestModel",
    "STTLayer",
    "Skill",
    "SkillAttachment",
    "TTSLayer",
    "TagList",
    "Timestamped",
    "Tool",
    "ToolAuth",
    "ToolCreate",
    "ToolDefinitionError",
    "ToolDelivery",
    "ToolDeliveryInfo",
    "ToolFunction",
    "ToolUpdate",
    "TranscriptEntry",
    "TransportLayer",
    "UsernameCheck",
    "Video",
    "VideoCreate",
    "VideoProperties",
    "Voice",
    "VoiceCreate",
    "VoiceTag",
    "VoiceUpdate",
    "parse_progress",
    "parse_timestamp",
    "pointer",
]
