"""Tools registry models (``/v2/tools``): the tool, its delivery channel and its auth.

A tool is delivered on exactly one channel (api-2026-surface.md §6.2): as an app message in the
room (``{"app_message": true}``, the default) or as an HTTPS request from Tavus
(``{"api": ApiDelivery}``), authenticated by one of six ``auth`` types (§6.4). Requests are typed
(:class:`ToolCreate`, :class:`ToolUpdate`, :class:`ApiDelivery`, the ``Auth*`` classes) and
checked by :func:`validate_tool` before any I/O; responses (:class:`AccountTool`) decode
leniently, with ``auth`` kept as a dict (secrets come back as ``********``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeAlias
from urllib.parse import urlsplit

import msgspec

from ..errors import InvalidInputError
from ._common import Model, RequestModel, Timestamped

if TYPE_CHECKING:
    from ..tools import ToolSpec

__all__ = [
    "SECRET_PLACEHOLDER",
    "AccountTool",
    "ApiDelivery",
    "ApiDeliveryInfo",
    "AuthApiKey",
    "AuthBasic",
    "AuthBearer",
    "AuthHmac",
    "AuthNone",
    "AuthOAuth2ClientCredentials",
    "PalToolsAttach",
    "ToolAuth",
    "ToolCreate",
    "ToolDefinitionError",
    "ToolDelivery",
    "ToolDeliveryInfo",
    "ToolUpdate",
    "tool_params_for",
    "validate_tool",
]

SECRET_PLACEHOLDER = "********"
"""What Tavus shows instead of a stored secret; sending it back on an update is refused."""

MAX_TOOL_SIZE = 10_000
MAX_TIMEOUT = 60.0
MAX_PAL_TOOLS = 50
_NAME_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]{0,63}$")
_PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SECRET_SLOTS = ("token", "password", "value", "secret", "client_secret")
_NO_BODY_METHODS = ("GET", "HEAD", "DELETE")


class ToolDefinitionError(InvalidInputError):
    """A tool Tavus would refuse; the message names the field (checked before any I/O).

    Attributes:
        field: The offending field, as a path (``delivery.api.timeout``).
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


# --- auth (request side: typed, tagged on "type") -----------------------------------------------


class _Auth(RequestModel, kw_only=True, omit_defaults=True, tag_field="type"):
    __secret_fields__: ClassVar[frozenset[str]] = frozenset(_SECRET_SLOTS)


class AuthNone(_Auth, tag="none"):
    """No authentication."""


class AuthBearer(_Auth, tag="bearer"):
    """``Authorization: Bearer <token>``. Leave ``token`` out on an update to keep it."""

    token: str | None = None


class AuthApiKey(_Auth, tag="api_key"):
    """An API key as a header ``<name>: <value>`` or a query parameter ``?<name>=<value>``."""

    name: str
    value: str | None = None
    location: Literal["header", "query"] = "header"


class AuthBasic(_Auth, tag="basic"):
    """``Authorization: Basic base64(username:password)``."""

    username: str
    password: str | None = None


class AuthOAuth2ClientCredentials(_Auth, tag="oauth2_client_credentials"):
    """Tavus gets a token from ``token_url`` (client-credentials grant), sends it as Bearer."""

    token_url: str
    client_id: str
    client_secret: str | None = None
    scope: str | None = None


class AuthHmac(_Auth, tag="hmac"):
    """Tavus signs a fixed callback body with ``secret`` (``X-Tavus-Signature``); see
    :mod:`tavus_async.tools`."""

    secret: str | None = None


ToolAuth: TypeAlias = (
    AuthNone | AuthBearer | AuthApiKey | AuthBasic | AuthOAuth2ClientCredentials | AuthHmac
)
"""Every documented ``delivery.api.auth`` type."""


# --- delivery -----------------------------------------------------------------------------------


class ApiDelivery(RequestModel, kw_only=True, omit_defaults=True):
    """``delivery.api``: Tavus calls ``url`` when the LLM calls the tool.

    Attributes:
        url: HTTPS and public; ``{param}`` placeholders may appear in the path and query
            (filled from the arguments, ``{tavus_conversation_id}`` by Tavus), not the host.
        method: ``GET``, ``POST`` (default), ``PUT``, ``PATCH``, ``DELETE`` or ``HEAD``.
        timeout: Seconds Tavus waits, more than 0 and at most 60 (Tavus's default: 10).
        headers: Static extra headers.
        auth: How Tavus authenticates (one of :data:`ToolAuth`).
        body_template: A JSON body with ``{placeholder}`` strings (not with GET/HEAD/DELETE,
            ignored under ``hmac``).
        query_params: Query parameters, values may hold placeholders (ignored under ``hmac``).
        content_type: The body's content type (``application/json``).
    """

    url: str
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] | None = None
    timeout: float | None = None
    headers: dict[str, str] | None = None
    auth: ToolAuth | None = None
    body_template: dict[str, Any] | None = None
    query_params: dict[str, str] | None = None
    content_type: str | None = None


class ToolDelivery(RequestModel, kw_only=True, omit_defaults=True):
    """``delivery``: exactly one of ``app_message=True`` or ``api``."""

    app_message: bool | None = None
    api: ApiDelivery | None = None


class ToolCreate(RequestModel, kw_only=True, omit_defaults=True):
    """The body of ``POST /v2/tools``.

    Attributes:
        name: ``^[a-zA-Z_][a-zA-Z0-9_]{0,63}$``, unique in the account.
        description: What the tool does (with ``parameters``, at most 10,000 characters).
        parameters: The JSON schema of the arguments (no ``tavus_`` property names).
        delivery: The channel (default: app message).
        trigger_type: ``in_call`` (default) or ``post_call``.
        origin: ``llm`` (default), ``vision`` or ``audio`` (perception tools); none for
            ``post_call``.
        on_call: ``generate_filler``, ``static_filler``, ``silent`` or ``passthrough``.
        on_resolve: ``generate_response``, ``response_in_result``, ``add_to_context`` or
            ``fire_and_forget``.
        static_filler: The line spoken while the tool runs (with ``on_call="static_filler"``).
        tags: Tags.
    """

    name: str
    description: str
    parameters: dict[str, Any] | None = None
    delivery: ToolDelivery | None = None
    trigger_type: Literal["in_call", "post_call"] | None = None
    origin: Literal["llm", "vision", "audio"] | None = None
    on_call: Literal["generate_filler", "static_filler", "silent", "passthrough"] | None = None
    on_resolve: (
        Literal["generate_response", "response_in_result", "add_to_context", "fire_and_forget"]
        | None
    ) = None
    static_filler: str | None = None
    tags: list[str] | None = None


class ToolUpdate(RequestModel, kw_only=True, omit_defaults=True):
    """The body of ``PATCH /v2/tools/{id}``: only the fields given change (``delivery``
    replaces the whole object). Leave a secret out of ``auth`` to keep the stored one."""

    name: str | None = None
    description: str | None = None
    parameters: dict[str, Any] | None = None
    delivery: ToolDelivery | None = None
    trigger_type: Literal["in_call", "post_call"] | None = None
    origin: Literal["llm", "vision", "audio"] | None = None
    on_call: Literal["generate_filler", "static_filler", "silent", "passthrough"] | None = None
    on_resolve: (
        Literal["generate_response", "response_in_result", "add_to_context", "fire_and_forget"]
        | None
    ) = None
    static_filler: str | None = None
    tags: list[str] | None = None


class PalToolsAttach(RequestModel, kw_only=True, omit_defaults=True):
    """The body of ``POST /v2/pals/{id}/tools``: 1 to 50 tool ids."""

    tool_ids: list[str]


# --- responses (lenient) ------------------------------------------------------------------------


class ApiDeliveryInfo(Model, kw_only=True, omit_defaults=True):
    """``delivery.api`` as Tavus returns it; ``auth`` is a dict with secrets as ``********``."""

    url: str | None = None
    method: str | None = None
    timeout: float | None = None
    headers: dict[str, str] | None = None
    auth: dict[str, Any] | None = None
    body_template: dict[str, Any] | None = None
    query_params: dict[str, str] | None = None
    content_type: str | None = None

    @property
    def auth_type(self) -> str | None:
        """``auth.type`` (``"hmac"``, ``"bearer"``...), or None without auth."""
        kind = (self.auth or {}).get("type")
        return kind if isinstance(kind, str) else None


class ToolDeliveryInfo(Model, kw_only=True, omit_defaults=True):
    """``delivery`` as Tavus returns it."""

    app_message: bool | None = None
    api: ApiDeliveryInfo | None = None

    @property
    def channel(self) -> Literal["app_message", "api"]:
        """Which channel the tool uses."""
        return "api" if self.api is not None and not self.app_message else "app_message"


class AccountTool(Timestamped, kw_only=True, omit_defaults=True):
    """A tool in the account's registry (``/v2/tools``), attached to PALs by id.

    System tools (``end_call``) have their name as id, ``owner_id`` None and
    ``is_system_tool`` True; they cannot be changed or deleted.
    """

    tool_id: str
    name: str | None = None
    description: str | None = None
    parameters: dict[str, Any] | None = None
    delivery: ToolDeliveryInfo | None = None
    owner_id: int | None = None
    is_system_tool: bool | None = None
    trigger_type: str | None = None
    origin: str | None = None
    on_call: str | None = None
    on_resolve: str | None = None
    static_filler: str | None = None
    tags: list[str] | None = None


# --- validation before I/O ----------------------------------------------------------------------


def _placeholders(text: str) -> list[str]:
    return _PLACEHOLDER_RE.findall(text)


def _template_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _template_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _template_strings(v)]
    return []


def _check_api(api: Mapping[str, Any], properties: set[str] | None, *, creating: bool) -> None:
    url = api.get("url")
    if not isinstance(url, str) or not url:
        raise ToolDefinitionError("delivery.api.url", "a URL is required")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ToolDefinitionError("delivery.api.url", f"not an absolute https URL: {url!r}")
    if "{" in parts.netloc or "}" in parts.netloc:
        raise ToolDefinitionError(
            "delivery.api.url", "the hostname must be static: placeholders go in the path or query"
        )
    timeout = api.get("timeout")
    if timeout is not None and not 0 < float(timeout) <= MAX_TIMEOUT:
        raise ToolDefinitionError(
            "delivery.api.timeout", f"must be more than 0 and at most 60 seconds, got {timeout}"
        )
    method = (api.get("method") or "POST").upper()
    if api.get("body_template") is not None and method in _NO_BODY_METHODS:
        raise ToolDefinitionError(
            "delivery.api.body_template", f"a {method} request cannot carry a body template"
        )
    auth = api.get("auth") or {}
    kind = auth.get("type")
    if kind == "hmac":
        for key in ("body_template", "query_params"):
            if api.get(key):
                raise ToolDefinitionError(
                    f"delivery.api.{key}", "hmac tools get a fixed signed body: drop it"
                )
        if _placeholders(url):
            raise ToolDefinitionError(
                "delivery.api.url", "hmac tools are sent to a static URL: no {placeholders}"
            )
    if kind == "oauth2_client_credentials":
        token_url = auth.get("token_url")
        if not isinstance(token_url, str) or urlsplit(token_url).scheme not in ("https", "http"):
            raise ToolDefinitionError("delivery.api.auth.token_url", "an https URL is required")
    for slot in _SECRET_SLOTS:
        value = auth.get(slot)
        if value == SECRET_PLACEHOLDER:
            raise ToolDefinitionError(
                f"delivery.api.auth.{slot}",
                "is the masked placeholder '********': leave it out to keep the stored secret",
            )
        if creating and slot in _required_secrets(kind) and not value:
            raise ToolDefinitionError(f"delivery.api.auth.{slot}", "a non-empty secret is required")
    if properties is not None:
        texts = [url, *_template_strings(api.get("query_params")), *_template_strings(
            api.get("body_template")
        )]  # fmt: skip
        for name in {p for t in texts for p in _placeholders(t)}:
            if not name.startswith("tavus_") and name not in properties:
                raise ToolDefinitionError(
                    "delivery.api",
                    f"the placeholder {{{name}}} is not a property of parameters",
                )


def _required_secrets(kind: Any) -> tuple[str, ...]:
    return {
        "bearer": ("token",),
        "api_key": ("value",),
        "basic": ("password",),
        "oauth2_client_credentials": ("client_secret",),
        "hmac": ("secret",),
    }.get(kind if isinstance(kind, str) else "", ())


def validate_tool(body: Mapping[str, Any], *, creating: bool = True) -> None:
    """Refuse, before any I/O, a tool body that Tavus documents as invalid.

    Checks: the name rule; a non-empty description; description + parameters within 10,000
    characters; no ``tavus_`` parameter; exactly one delivery channel; the API URL's host
    static, its timeout in (0, 60], no body template on GET/HEAD/DELETE, no templating under
    ``hmac``, every placeholder declared in ``parameters``, every secret given on create and
    none sent back as ``********``; ``static_filler`` with ``on_call="static_filler"``;
    perception tools without ``on_call``/``static_filler`` and with ``fire_and_forget``;
    ``post_call`` tools with an API delivery and no ``origin``.

    Args:
        body: A :class:`ToolCreate` or :class:`ToolUpdate` body as builtins.
        creating: True for a create (every secret must be there).

    Raises:
        ToolDefinitionError: Names the field and what to do.
    """
    name = body.get("name")
    if (creating or name is not None) and (not isinstance(name, str) or not _NAME_RE.match(name)):
        raise ToolDefinitionError(
            "name", "use 1-64 letters, digits or underscores, not starting with a digit"
        )
    description = body.get("description")
    if (creating or description is not None) and not (description or "").strip():
        raise ToolDefinitionError("description", "a non-empty description is required")
    parameters = body.get("parameters")
    properties: set[str] | None = None
    if parameters is not None:
        props = parameters.get("properties") if isinstance(parameters, Mapping) else None
        properties = set(props) if isinstance(props, Mapping) else set()
        for prop in sorted(properties):
            if prop.startswith("tavus_"):
                raise ToolDefinitionError(
                    f"parameters.properties.{prop}", "the prefix 'tavus_' is reserved by Tavus"
                )
        size = len(description or "") + len(msgspec.json.encode(parameters))
        if size > MAX_TOOL_SIZE:
            raise ToolDefinitionError(
                "parameters", f"description + parameters are {size} characters (at most 10,000)"
            )
    delivery = body.get("delivery")
    api: Mapping[str, Any] | None = None
    if isinstance(delivery, Mapping):
        api = delivery.get("api")
        if bool(delivery.get("app_message")) == (api is not None):
            raise ToolDefinitionError(
                "delivery",
                "give exactly one channel: app_message=True or api={...}, not both or neither",
            )
        if api is not None:
            _check_api(api, properties, creating=creating)
    on_call = body.get("on_call")
    if on_call == "static_filler" and not body.get("static_filler"):
        raise ToolDefinitionError("static_filler", "required when on_call is 'static_filler'")
    origin = body.get("origin")
    if origin in ("vision", "audio"):
        if on_call is not None or body.get("static_filler") is not None:
            raise ToolDefinitionError(
                "on_call", "perception tools take no on_call or static_filler: leave them out"
            )
        if body.get("on_resolve") not in (None, "fire_and_forget"):
            raise ToolDefinitionError("on_resolve", "perception tools are fire_and_forget")
    if body.get("trigger_type") == "post_call":
        if origin is not None:
            raise ToolDefinitionError("origin", "post_call tools take no origin: leave it out")
        if creating and api is None:
            raise ToolDefinitionError("delivery", "post_call tools need delivery.api")


def tool_params_for(
    spec: ToolSpec,
    *,
    delivery: ToolDelivery | ApiDelivery | Mapping[str, Any] | None = None,
    **fields: Any,
) -> ToolCreate:
    """The :class:`ToolCreate` body for a registered tool (see ``ToolRegistry.tool_params``).

    Raises:
        ToolDefinitionError: The tool has no description, or the body is one Tavus refuses.
        InvalidInputError: A field of ``fields`` or ``delivery`` is unknown or of the wrong type.
    """
    if isinstance(delivery, ApiDelivery):
        delivery = ToolDelivery(api=delivery)
    raw_delivery: dict[str, Any] = (
        msgspec.to_builtins(delivery) if delivery is not None else {"app_message": True}
    )
    api = raw_delivery.get("api")
    if isinstance(api, dict) and api.get("timeout") is None and spec.timeout is not None:
        api["timeout"] = spec.timeout
    body: dict[str, Any] = {
        "name": spec.name,
        "description": spec.description,
        "parameters": spec.parameters,
        "delivery": raw_delivery,
        **msgspec.to_builtins(fields),
    }
    validate_tool(body)
    try:
        return msgspec.convert(body, ToolCreate)
    except msgspec.ValidationError as exc:
        raise InvalidInputError(f"invalid tool {spec.name}: {exc}") from None
