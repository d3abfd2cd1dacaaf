"""The resource catalog: one declaration per Tavus REST resource, and everything derived from it.

Each attribute of :class:`ResourceNamespaces` is one resource: its path, id field, page base,
list filters, models, verbs, resource class and how the CLI shows it. From these rows come the
resource attributes of :class:`~tavus_async.AsyncTavus` (typed: ``tavus.personas`` is a
:class:`~tavus_async.resources.Personas`), the CLI's resource commands, ``docs/api.md`` and the
simulator's routes and per-operation counters. ``tests/test_catalog.py`` fails when one of them
disagrees with a row.

Adding a resource is a row here, its models, a resource class only when it has verbs or shapes
beyond the standard ones (:mod:`tavus_async.resources._verbs` serves those from the row), and its
simulator module ``tavus_async/testing/rest/<name>.py``.

An operation is named ``<resource>.<verb>`` (``documents.update``) by the client's method, the
simulator's counter (``sim.counts["documents.update"]``) and its route table alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, get_origin, overload

from .errors import InvalidInputError
from .models.conversations import Conversation, ConversationCreate
from .models.deployments import Deployment, DeploymentCreate
from .models.documents import Document, DocumentCreate
from .models.faces import Face, FaceCreate
from .models.guardrails import GuardrailsCreate, GuardrailSet
from .models.memory_stores import MemoryStore, MemoryStoreCreate
from .models.objectives import ObjectivesCreate, ObjectiveSet
from .models.pals import Pal, PalCreate
from .models.personas import Persona, PersonaCreate
from .models.pronunciation_dictionaries import (
    PronunciationDictionary,
    PronunciationDictionaryCreate,
)
from .models.replicas import Replica, ReplicaCreate
from .models.skills import Skill, SkillAttachment
from .models.tools import AccountTool, ToolCreate
from .models.videos import Video, VideoCreate
from .models.voices import Voice, VoiceCreate
from .resources._base import AsyncAPIResource
from .resources._verbs import ReadOnlyResource
from .resources.conversations import Conversations
from .resources.deployments import Deployments
from .resources.documents import Documents
from .resources.faces import Faces
from .resources.guardrails import Guardrails
from .resources.memory_stores import MemoryStores
from .resources.objectives import Objectives
from .resources.pals import Pals, PalSkills
from .resources.personas import Personas
from .resources.pronunciation_dictionaries import PronunciationDictionaries
from .resources.replicas import Replicas
from .resources.tools import PalTools, Tools
from .resources.videos import Videos
from .resources.voices import Voices

if TYPE_CHECKING:
    from ._http import HTTPCore

__all__ = [
    "CATALOG",
    "NESTED",
    "VERBS",
    "CliFlag",
    "CliView",
    "ResourceDef",
    "ResourceNamespaces",
    "Route",
    "by_name",
]

R = TypeVar("R", bound=AsyncAPIResource)

#: Every verb a resource can have: the HTTP method and the path under the resource's own path
#: (``{id}`` is the resource's id field). The client's method and the simulator's handler carry
#: the verb's name.
VERBS: dict[str, tuple[str, str]] = {
    "create": ("POST", ""),
    "list": ("GET", ""),
    "get": ("GET", "/{id}"),
    "patch": ("PATCH", "/{id}"),  # a JSON Patch list
    "update": ("PATCH", "/{id}"),  # a plain object of fields
    "delete": ("DELETE", "/{id}"),
    "rename": ("PATCH", "/{id}/name"),
    "end": ("POST", "/{id}/end"),
    "recrawl": ("POST", "/{id}/recrawl"),
    "publish": ("POST", "/{id}/publish"),
    "check_username": ("GET", "/check-username"),
    # Attachments (``tavus.pals.skills``): PUT one, DELETE one, PUT the whole set.
    "attach": ("PUT", "/{id}"),
    "detach": ("DELETE", "/{id}"),
    "replace": ("PUT", ""),
    # The 2026 extras (api-2026-surface.md §2): tag lists, document chunks, a dry-run check and
    # the deployments' public calls.
    "tags": ("GET", "/tags"),
    "chunks": ("GET", "/{id}/chunks"),
    "validate": ("POST", "/validate"),
    "init": ("GET", "/{id}/init"),
    "start": ("POST", "/{id}/start"),
    "end_conversation": ("POST", "/{id}/conversations/{conversation_id}/end"),
}


@dataclass(frozen=True)
class CliFlag:
    """A CLI option that sets one field: of a create body, or a list filter.

    Attributes:
        option: The flag (``--name``).
        field: The body field or list parameter it sets (``persona_name``).
        help: What it is.
        kind: ``str``, ``bool`` (a switch), ``list`` (repeatable), ``json`` (parsed as JSON) or
            ``pair`` (repeatable ``NAME=TEXT``, each appended to the ``field`` list as an object
            with the keys in ``pair``).
        pair: For ``pair`` flags, the object's two keys.
        chain: For ``pair`` flags, a key that links each object to the next one's name (the
            flags' order is the sequence; Tavus wants a set with one root).
    """

    option: str
    field: str
    help: str
    kind: str = "str"
    pair: tuple[str, str] | None = None
    chain: str | None = None


@dataclass(frozen=True)
class CliView:
    """How a resource appears on the command line.

    Attributes:
        singular: The resource's name for one item, in messages (``persona``).
        columns: What ``list`` shows, in order.
        create_flags: The convenience flags of ``create`` (``--set`` reaches any field).
        delete_hard: ``delete`` has ``--hard``.
        verbose_get: ``get`` has ``--verbose``.
        update_flags: The flags of ``update`` (each sets one keyword argument).
    """

    singular: str
    columns: tuple[str, ...]
    create_flags: tuple[CliFlag, ...] = ()
    delete_hard: bool = False
    verbose_get: bool = False
    update_flags: tuple[CliFlag, ...] = ()


@dataclass(frozen=True)
class Route:
    """One REST operation as the simulator serves it."""

    method: str
    template: str
    operation: str
    verb: str
    public: bool = False


@dataclass(frozen=True)
class ResourceDef:
    """One catalog row: the facts of one Tavus REST resource.

    Attributes:
        name: The attribute on :class:`~tavus_async.AsyncTavus` and the operation prefix.
        path: The collection path (``/v2/personas``).
        id_field: The id's field name, also the path parameter (``persona_id``).
        page_base: The number of the first page of ``list`` (Tavus uses 0 for some resources).
        model: The response model of one item.
        create_model: The request model of ``create`` (None without ``create``).
        verbs: The operations it has (keys of :data:`VERBS`).
        cls: The resource class serving it: its own class, or one of
            :mod:`tavus_async.resources._verbs` parametrized by ``model`` for plain resources.
        cli: How the CLI shows it.
        list_filters: The filters of ``list`` the CLI offers (parameters of ``cls.list``).
        aliases: Other paths serving the same records.
        table: The simulator's table of its records, when they are another row's
            (``pals`` are ``personas``); defaults to ``name``.
        parent: For a namespace inside another (``tavus.pals.skills``), the parent row's name;
            ``path`` then holds the parent's id (``/v2/pals/{pal_id}/skills``).
        attr: The attribute on the parent (``skills``); defaults to ``name``.
        shapes: ``(verb, method, suffix)`` for a verb whose request differs from its
            :data:`VERBS` shape on this resource (a PAL's tools attach many ids in one POST).
        public_verbs: Verbs Tavus serves without an API key (a deployment's ``init``); the
            client does not send the key to them.
    """

    name: str
    path: str
    id_field: str
    page_base: int
    model: type[Any]
    create_model: type[Any] | None
    verbs: tuple[str, ...]
    cls: type[AsyncAPIResource]
    cli: CliView
    list_filters: tuple[CliFlag, ...] = ()
    aliases: tuple[str, ...] = ()
    table: str | None = None
    parent: str | None = None
    attr: str | None = None
    shapes: tuple[tuple[str, str, str], ...] = ()
    public_verbs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = [v for v in (*self.verbs, *self.public_verbs) if v not in VERBS]
        if set(self.public_verbs) - set(self.verbs):
            raise InvalidInputError(f"catalog row {self.name!r}: public_verbs must be verbs too")
        if unknown:
            raise InvalidInputError(f"catalog row {self.name!r}: unknown verbs {unknown}")
        if self.page_base not in (0, 1):
            raise InvalidInputError(f"catalog row {self.name!r}: page_base must be 0 or 1")

    @property
    def resource_class(self) -> type[AsyncAPIResource]:
        """The class of ``tavus.<name>`` (``cls`` without its type parameter, if any)."""
        origin = get_origin(self.cls)
        return origin if isinstance(origin, type) else self.cls

    @property
    def table_name(self) -> str:
        """The simulator table holding this resource's records."""
        return self.table or self.name

    @property
    def attribute(self) -> str:
        """``tavus.<attribute>``, or ``tavus.<parent>.<attribute>`` for a nested namespace."""
        return self.attr or self.name

    @property
    def parent_id(self) -> str | None:
        """The parent's id parameter in ``path`` (``pal_id``), for a nested namespace."""
        if self.parent is None:
            return None
        return self.path.rsplit("{", 1)[1].split("}", 1)[0]

    @property
    def cli_name(self) -> str:
        """The CLI command (``pronunciation-dictionaries``)."""
        return self.name.replace("_", "-")

    def operation(self, verb: str) -> str:
        """The operation's name, ``<resource>.<verb>``, shared by client and simulator."""
        return f"{self.name}.{verb}"

    def shape(self, verb: str) -> tuple[str, str]:
        """The HTTP method and path suffix of ``verb`` on this resource."""
        for name, method, suffix in self.shapes:
            if name == verb:
                return method, suffix
        return VERBS[verb]

    def routes(self) -> list[Route]:
        """The (method, path template, operation) of every verb, under every path it has."""
        out: list[Route] = []
        for base in (self.path, *self.aliases):
            for verb in self.verbs:
                method, suffix = self.shape(verb)
                template = base + suffix.replace("{id}", "{" + self.id_field + "}")
                public = verb in self.public_verbs
                out.append(Route(method, template, self.operation(verb), verb, public))
        return out

    def namespace(self, client: Any) -> Any:
        """This resource's namespace on ``client`` (``client.pals.skills`` for a nested row)."""
        owner = getattr(client, by_name(self.parent).attribute) if self.parent else client
        return getattr(owner, self.attribute)


class _Entry(Generic[R]):
    """A catalog row as a typed attribute: ``tavus.<name>`` is an instance of ``cls``."""

    def __init__(self, cls: type[R], **facts: Any) -> None:
        self._cls = cls
        self._facts = facts
        self.row: ResourceDef

    def __set_name__(self, owner: type, name: str) -> None:
        self.row = ResourceDef(name=name, cls=self._cls, **self._facts)

    @overload
    def __get__(self, obj: None, owner: type) -> _Entry[R]: ...

    @overload
    def __get__(self, obj: ResourceNamespaces, owner: type) -> R: ...

    def __get__(self, obj: ResourceNamespaces | None, owner: type) -> _Entry[R] | R:
        if obj is None:
            return self
        # Normally set by _init_resources; built here only for an object that skipped it.
        resource = self._cls(obj._http, self.row)
        obj.__dict__[self.row.name] = resource
        return resource


class ResourceNamespaces:
    """The resource namespaces of a client, one per catalog row (inherited by ``AsyncTavus``)."""

    _http: HTTPCore

    # The 2026 vocabulary first (what Tavus documents now); the older names follow.
    pals = _Entry(
        Pals,
        path="/v2/pals",
        id_field="pal_id",
        page_base=1,
        model=Pal,
        create_model=PalCreate,
        verbs=("create", "list", "get", "patch", "delete", "publish", "check_username"),
        list_filters=(
            CliFlag("--pal-type", "pal_type", "user or system"),
            CliFlag("--sort", "sort", "asc or desc"),
        ),
        table="personas",
        cli=CliView(
            singular="PAL",
            columns=("pal_id", "pal_name", "pipeline_mode", "default_face_id", "created_at"),
            create_flags=(
                CliFlag("--name", "pal_name", "the PAL's name"),
                CliFlag("--face-id", "default_face_id", "the face it uses by default (required)"),
                CliFlag("--system-prompt", "system_prompt", "the LLM system prompt"),
                CliFlag("--greeting", "greeting", "what the PAL says first"),
                CliFlag(
                    "--pipeline-mode", "pipeline_mode", "full (default), echo or speech-to-speech"
                ),
                CliFlag("--tool-id", "tool_ids", "a tool from the registry (repeatable)", "list"),
                CliFlag("--layers", "layers", "the layers object, as JSON", "json"),
            ),
        ),
    )
    faces = _Entry(
        Faces,
        path="/v2/faces",
        id_field="face_id",
        page_base=1,
        model=Face,
        create_model=FaceCreate,
        verbs=("create", "list", "get", "update", "delete", "rename"),
        list_filters=(
            CliFlag("--face-type", "face_type", "user or system"),
            CliFlag("--model-name", "model_name", "only faces of this model"),
        ),
        table="replicas",
        cli=CliView(
            singular="face",
            columns=("face_id", "face_name", "status", "training_progress", "created_at"),
            create_flags=(
                CliFlag("--name", "face_name", "the face's name"),
                CliFlag("--train-video-url", "train_video_url", "training video (download URL)"),
                CliFlag("--train-image-url", "train_image_url", "train from one image instead"),
                CliFlag("--voice-name", "voice_name", "a stock voice (with an image)"),
                CliFlag("--consent-video-url", "consent_video_url", "consent video URL"),
                CliFlag("--model-name", "model_name", "phoenix-3, phoenix-4..."),
                CliFlag("--callback-url", "callback_url", "webhook for training updates"),
            ),
            update_flags=(
                CliFlag("--name", "face_name", "the new name"),
                CliFlag("--voice-id", "default_voice_id", "the voice it speaks with"),
            ),
            delete_hard=True,
            verbose_get=True,
        ),
    )
    conversations = _Entry(
        Conversations,
        path="/v2/conversations",
        id_field="conversation_id",
        page_base=1,
        model=Conversation,
        create_model=ConversationCreate,
        verbs=("create", "list", "get", "delete", "end"),
        list_filters=(CliFlag("--status", "status", "active or ended"),),
        cli=CliView(
            singular="conversation",
            columns=(
                "conversation_id",
                "conversation_name",
                "status",
                "conversation_url",
                "created_at",
            ),
            create_flags=(
                CliFlag("--pal-id", "pal_id", "the PAL to talk to"),
                CliFlag("--face-id", "face_id", "the face (replica) to use"),
                CliFlag("--persona-id", "persona_id", "the persona (the PAL's old name)"),
                CliFlag("--replica-id", "replica_id", "the replica to use (the face's old name)"),
                CliFlag("--name", "conversation_name", "the conversation's name"),
                CliFlag("--context", "conversational_context", "context for this conversation"),
                CliFlag("--greeting", "custom_greeting", "what the replica says first"),
                CliFlag("--callback-url", "callback_url", "webhook for conversation events"),
                CliFlag("--test-mode", "test_mode", "create without the replica joining", "bool"),
                CliFlag("--require-auth", "require_auth", "private room with a token", "bool"),
                CliFlag("--audio-only", "audio_only", "voice only, no video", "bool"),
            ),
            delete_hard=True,
            verbose_get=True,
        ),
    )
    personas = _Entry(
        Personas,
        path="/v2/personas",
        id_field="persona_id",
        page_base=1,
        model=Persona,
        create_model=PersonaCreate,
        verbs=("create", "list", "get", "patch", "delete"),
        list_filters=(CliFlag("--persona-type", "persona_type", "user or system"),),
        cli=CliView(
            singular="persona",
            columns=(
                "persona_id",
                "persona_name",
                "pipeline_mode",
                "default_replica_id",
                "created_at",
            ),
            create_flags=(
                CliFlag("--name", "persona_name", "the persona's name"),
                CliFlag("--system-prompt", "system_prompt", "the LLM system prompt"),
                CliFlag("--context", "context", "background the replica knows"),
                CliFlag("--replica-id", "default_replica_id", "the replica used by default"),
                CliFlag("--pipeline-mode", "pipeline_mode", "full (default) or echo"),
                CliFlag("--layers", "layers", "the layers object, as JSON", "json"),
            ),
        ),
    )
    replicas = _Entry(
        Replicas,
        path="/v2/replicas",
        id_field="replica_id",
        page_base=1,
        model=Replica,
        create_model=ReplicaCreate,
        verbs=("create", "list", "get", "delete", "rename"),
        list_filters=(
            CliFlag("--replica-type", "replica_type", "user or system"),
            CliFlag("--model-name", "model_name", "only replicas of this model"),
        ),
        cli=CliView(
            singular="replica",
            columns=("replica_id", "replica_name", "status", "training_progress", "created_at"),
            create_flags=(
                CliFlag("--name", "replica_name", "the replica's name"),
                CliFlag("--train-video-url", "train_video_url", "training video (download URL)"),
                CliFlag("--consent-video-url", "consent_video_url", "consent video URL"),
                CliFlag("--model-name", "model_name", "phoenix-3, phoenix-4..."),
                CliFlag("--callback-url", "callback_url", "webhook for training updates"),
            ),
            delete_hard=True,
            verbose_get=True,
        ),
    )
    objectives = _Entry(
        Objectives,
        path="/v2/objectives",
        id_field="objectives_id",
        page_base=1,
        model=ObjectiveSet,
        create_model=ObjectivesCreate,
        verbs=("create", "list", "get", "patch", "delete", "validate"),
        cli=CliView(
            singular="objectives set",
            columns=("objectives_id", "objective_name", "status", "created_at"),
            create_flags=(
                CliFlag("--name", "name", "a name for the set"),
                CliFlag(
                    "--objective",
                    "data",
                    "an objective as NAME=PROMPT (repeatable, in order)",
                    "pair",
                    ("objective_name", "objective_prompt"),
                    chain="next_required_objective",
                ),
            ),
        ),
    )
    guardrails = _Entry(
        Guardrails,
        path="/v2/guardrails",
        id_field="guardrails_id",
        page_base=1,
        model=GuardrailSet,
        create_model=GuardrailsCreate,
        verbs=("create", "list", "get", "patch", "delete", "tags"),
        cli=CliView(
            singular="guardrails set",
            columns=("guardrails_id", "guardrails_name", "status", "created_at"),
            create_flags=(
                CliFlag("--name", "name", "a name for the set"),
                CliFlag(
                    "--guardrail",
                    "data",
                    "a guardrail as NAME=PROMPT (repeatable)",
                    "pair",
                    ("guardrail_name", "guardrail_prompt"),
                ),
            ),
        ),
    )
    documents = _Entry(
        Documents,
        path="/v2/documents",
        id_field="document_id",
        page_base=0,
        model=Document,
        create_model=DocumentCreate,
        verbs=("create", "list", "get", "update", "delete", "recrawl", "tags", "chunks"),
        list_filters=(
            CliFlag("--status", "status", "filter by status"),
            CliFlag("--name-or-uuid", "name_or_uuid", "match on name or id"),
        ),
        cli=CliView(
            singular="document",
            columns=("document_id", "document_name", "status", "progress", "created_at"),
            create_flags=(
                CliFlag("--url", "document_url", "the file or website to ingest"),
                CliFlag("--name", "document_name", "the document's name"),
                CliFlag("--tag", "tags", "a tag (repeatable)", "list"),
                CliFlag("--callback-url", "callback_url", "webhook for processing updates"),
            ),
            update_flags=(
                CliFlag("--name", "document_name", "the new name"),
                CliFlag("--tag", "tags", "a tag (repeatable; replaces the list)", "list"),
            ),
        ),
    )
    videos = _Entry(
        Videos,
        path="/v2/videos",
        id_field="video_id",
        page_base=0,
        model=Video,
        create_model=VideoCreate,
        verbs=("create", "list", "get", "delete", "rename"),
        cli=CliView(
            singular="video",
            columns=("video_id", "video_name", "status", "generation_progress", "created_at"),
            create_flags=(
                CliFlag("--replica-id", "replica_id", "the replica that speaks"),
                CliFlag("--script", "script", "the text to speak"),
                CliFlag("--audio-url", "audio_url", "an audio file to lip-sync instead"),
                CliFlag("--name", "video_name", "the video's name"),
                CliFlag("--background-url", "background_url", "a website for the background"),
                CliFlag("--callback-url", "callback_url", "webhook for generation updates"),
            ),
            delete_hard=True,
            verbose_get=True,
        ),
    )
    voices = _Entry(
        Voices,
        path="/v2/voices",
        id_field="voice_id",
        page_base=1,
        model=Voice,
        create_model=VoiceCreate,
        verbs=("create", "list", "get", "update"),
        list_filters=(
            CliFlag("--search", "search", "a part of the voice's name"),
            CliFlag("--sort", "sort", "asc (default) or desc"),
            CliFlag("--tag", "tag", "only voices with this tag"),
        ),
        cli=CliView(
            singular="voice",
            columns=("voice_id", "voice_name", "voice_type", "status", "replica_id"),
            create_flags=(
                CliFlag("--name", "voice_name", "the voice's name"),
                CliFlag("--audio-url", "audio_url", "a recording of the voice to clone"),
                CliFlag("--description", "description", "what it sounds like"),
                CliFlag("--callback-url", "callback_url", "webhook for its status"),
            ),
            update_flags=(
                CliFlag("--name", "voice_name", "the new name"),
                CliFlag("--description", "description", "what it sounds like"),
                CliFlag("--tag", "tags", "a tag (repeatable; replaces the list)", "list"),
            ),
        ),
    )
    pronunciation_dictionaries = _Entry(
        PronunciationDictionaries,
        path="/v2/pronunciation-dictionaries",
        id_field="pronunciation_dictionary_id",
        page_base=0,
        model=PronunciationDictionary,
        create_model=PronunciationDictionaryCreate,
        verbs=("create", "list", "get", "patch", "delete"),
        list_filters=(CliFlag("--sort", "sort", "desc (default) or asc"),),
        cli=CliView(
            singular="pronunciation dictionary",
            columns=("pronunciation_dictionary_id", "name", "rules_count", "created_at"),
            create_flags=(CliFlag("--name", "name", "the dictionary's name"),),
        ),
    )
    tools = _Entry(
        Tools,
        path="/v2/tools",
        id_field="tool_id",
        page_base=1,
        model=AccountTool,
        create_model=ToolCreate,
        verbs=("create", "list", "get", "update", "delete"),
        list_filters=(
            CliFlag("--type", "tool_type", "user (default), system or all"),
            CliFlag("--sort", "sort", "asc (default) or desc, by created_at"),
            CliFlag("--name-or-uuid", "name_or_uuid", "a part of the name, or a tool id"),
        ),
        cli=CliView(
            singular="tool",
            columns=("tool_id", "name", "trigger_type", "on_resolve", "created_at"),
            create_flags=(
                CliFlag("--name", "name", "the tool's name (letters, digits, underscores)"),
                CliFlag("--description", "description", "what the tool does, for the LLM"),
                CliFlag("--parameters", "parameters", "the arguments' JSON schema", "json"),
                CliFlag("--delivery", "delivery", "app_message or api delivery, as JSON", "json"),
                CliFlag("--on-resolve", "on_resolve", "generate_response, fire_and_forget..."),
            ),
            update_flags=(
                CliFlag("--name", "name", "the new name"),
                CliFlag("--description", "description", "the new description"),
                CliFlag("--delivery", "delivery", "the new delivery, as JSON", "json"),
            ),
        ),
    )
    skills = _Entry(
        ReadOnlyResource[Skill],
        path="/v2/skills",
        id_field="skill_id",
        page_base=1,
        model=Skill,
        create_model=None,
        verbs=("list", "get"),
        cli=CliView(singular="skill", columns=("skill_id", "display_name", "description")),
    )

    # The 2026 resources of issue 13 part B (api-2026-surface.md §11, §12).
    deployments = _Entry(
        Deployments,
        path="/v2/deployments",
        id_field="deployment_id",
        page_base=0,
        model=Deployment,
        create_model=DeploymentCreate,
        verbs=("create", "list", "get", "patch", "delete", "init", "start", "end_conversation"),
        public_verbs=("init", "start", "end_conversation"),
        list_filters=(
            CliFlag("--pal-id", "pal_id", "only this PAL's deployments"),
            CliFlag("--status", "status", "draft, active or inactive (comma-separated)"),
            CliFlag("--channel", "channel", "widget, embed or landing-page (comma-separated)"),
            CliFlag("--search", "search", "text in the name"),
            CliFlag("--sort", "sort", "desc (default) or asc"),
        ),
        cli=CliView(
            singular="deployment",
            columns=("deployment_id", "name", "channel", "status", "pal_id", "updated_at"),
            create_flags=(
                CliFlag("--pal-id", "pal_id", "the PAL to deploy"),
                CliFlag("--channel", "channel", "widget, embed or landing-page"),
                CliFlag("--name", "name", "the deployment's name"),
                CliFlag("--status", "status", "draft, active or inactive"),
                CliFlag(
                    "--allowed-origin", "allowed_origins", "a site allowed (repeatable)", "list"
                ),
            ),
        ),
    )
    memory_stores = _Entry(
        MemoryStores,
        path="/v2/memory-stores",
        id_field="memory_store_id",
        page_base=1,
        model=MemoryStore,
        create_model=MemoryStoreCreate,
        verbs=("create", "list", "get", "update", "delete"),
        list_filters=(
            CliFlag("--pal-id", "pal_id", "only this PAL's stores"),
            CliFlag("--participant-tag", "participant_tag", "only this participant's store"),
        ),
        cli=CliView(
            singular="memory store",
            columns=("memory_store_id", "pal_id", "participant_tag", "status", "created_at"),
            create_flags=(
                CliFlag("--pal-id", "pal_id", "the PAL that remembers"),
                CliFlag("--participant-tag", "participant_tag", "who it remembers"),
                CliFlag("--pin", "pinned_memories", "a pinned memory (repeatable)", "list"),
            ),
            update_flags=(
                CliFlag(
                    "--pin",
                    "pinned_memories",
                    "a pinned memory (repeatable; replaces them)",
                    "list",
                ),
            ),
        ),
    )


#: Namespaces inside another one (``tavus.pals.skills``): declared here, built by the parent.
NESTED: tuple[ResourceDef, ...] = (
    ResourceDef(
        name="pal_skills",
        parent="pals",
        attr="skills",
        path="/v2/pals/{pal_id}/skills",
        id_field="skill_id",
        page_base=1,
        model=SkillAttachment,
        create_model=None,
        verbs=("list", "get", "attach", "update", "detach", "replace"),
        table="personas",
        cls=PalSkills,
        cli=CliView(singular="PAL skill", columns=("skill_id", "config", "attached_at")),
    ),
    ResourceDef(
        name="pal_tools",
        parent="pals",
        attr="tools",
        path="/v2/pals/{pal_id}/tools",
        id_field="tool_id",
        page_base=1,
        model=AccountTool,
        create_model=None,
        verbs=("attach", "list", "detach"),
        # Tavus attaches a list of ids in one POST {"tool_ids": [...]} (api-2026-surface §7).
        shapes=(("attach", "POST", ""),),
        # The official CLI's docs name the persona alias of the path too.
        aliases=("/v2/personas/{pal_id}/tools",),
        table="personas",
        cls=PalTools,
        cli=CliView(singular="PAL tool", columns=("tool_id", "name", "on_resolve")),
    ),
)

#: Every catalog row, in declaration order (top-level namespaces, then nested ones).
CATALOG: tuple[ResourceDef, ...] = (
    *(entry.row for entry in vars(ResourceNamespaces).values() if isinstance(entry, _Entry)),
    *NESTED,
)

_BY_NAME = {row.name: row for row in CATALOG}


def by_name(name: str) -> ResourceDef:
    """The catalog row of a resource (``"personas"``).

    Raises:
        KeyError: No resource has that name.
    """
    return _BY_NAME[name]
