"""The simulator's tools registry: ``/v2/tools``, PAL attachments, and Tavus as the *sender*.

REST (api-2026-surface.md §6, §7), checked here with the simulator's own rules (never the
client's models, so the simulator stays an independent check of the client):

- create/PATCH answer 400 ``{"error": "Bad Request. <reason>"}`` for every §6.9 rule: the name,
  an empty description, the 10,000-character budget, ``tavus_`` properties, both channels or
  neither, a non-https URL or ``token_url``, a loopback/private/link-local host (unless the
  simulator runs with ``allow_private_tool_urls=True``), a placeholder in the hostname, a
  timeout outside (0, 60], a missing ``static_filler``, perception and post-call rules, a
  duplicate name, ``********`` sent back in a secret slot;
- secrets are stored and shown as ``********`` on every read; a PATCH that leaves a secret out
  keeps it; ``delivery: null`` resets to ``{"app_message": true}``;
- the system tool ``end_call`` is listed for ``type=system|all``, gettable and immutable;
- DELETE answers 204, detaches the tool from every PAL and frees its name;
- ``/v2/pals/{id}/tools``: attach (idempotent, all or nothing, at most 50), list, detach (204,
  400 when not attached). A PAL's ``tool_ids`` *is* its attachment list (one list, not two).

The sender (§15.5, §16): when a replica calls an attached tool whose delivery is ``api``, the
room calls :meth:`ToolsState.deliver` instead of sending an app message. For ``hmac`` it POSTs
the Tavus-shape body, serialised once and signed over exactly those bytes; otherwise it fills
``{param}``/``{tavus_conversation_id}`` into the URL, query and body template and adds the
auth header (an OAuth2 token is fetched from ``token_url``, and refetched once after a 401).
It applies the tool's timeout, retries once on a 5xx and never on a 4xx, and returns a 2xx
body as the result (JSON as an object, anything else as text). Each exchange is recorded in
``sim.tool_deliveries``. A PAL's post-call actions (``trigger_type: post_call``) are never offered
to the live model; they run once as a conversation with dialogue ends, and their outcome is the
event ``application.post_call_action_executed``.

Hosts are judged by their literal form (``localhost``, IP literals); names are not resolved, so
a public-looking name that resolves to a private address is let through (Tavus resolves it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import aiohttp

from ._store import hex_id
from .rest._plumbing import ApiError, bad

if TYPE_CHECKING:
    from ._simulator import TavusSimulator

__all__ = ["END_CALL", "DeliveryAttempt", "ToolDeliveryRecord", "ToolsState", "masked"]

Record = dict[str, Any]

MASK = "********"
_SECRET_SLOTS = ("token", "password", "value", "secret", "client_secret")
_NAME_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]{0,63}$")
_PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_AUTH_TYPES = ("none", "bearer", "api_key", "basic", "oauth2_client_credentials", "hmac")
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
_ON_CALL = ("generate_filler", "static_filler", "silent", "passthrough")
_ON_RESOLVE = ("generate_response", "response_in_result", "add_to_context", "fire_and_forget")
_FIELDS = (
    "name",
    "description",
    "parameters",
    "delivery",
    "trigger_type",
    "origin",
    "on_call",
    "on_resolve",
    "static_filler",
    "tags",
)
MAX_PAL_TOOLS = 50
DEFAULT_TIMEOUT = 10.0

END_CALL: Record = {
    "tool_id": "end_call",
    "owner_id": None,
    "name": "end_call",
    "description": "End the conversation when the user says goodbye or asks to end it.",
    "parameters": {"type": "object", "properties": {}, "required": []},
    "delivery": {"app_message": True},
    "is_system_tool": True,
    "trigger_type": "in_call",
    "origin": "llm",
    "on_call": "silent",
    "on_resolve": "fire_and_forget",
    "static_filler": None,
    "tags": [],
    "created_at": "2026-01-01T00:00:00",
    "updated_at": "2026-01-01T00:00:00",
}


def _bad(reason: str) -> ApiError:
    # Tavus's tool errors keep the "Bad Request. " prefix inside the string (§1.5).
    return bad(f"Bad Request. {reason}")


def host_refusal(url: str) -> str | None:
    """Why Tavus would refuse to call ``url``'s host (loopback, private, link-local), or None."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return f"{host} is a loopback host"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    if ip.is_loopback:
        return f"{host} is a loopback address"
    if ip.is_link_local:
        return f"{host} is a link-local address"
    if ip.is_private or ip.is_unspecified:
        return f"{host} is a private address"
    return None


def masked(tool: Record) -> Record:
    """A tool as every read shows it: public fields, secrets as ``********``."""
    out = {k: v for k, v in tool.items() if not k.startswith("_")}
    api = (out.get("delivery") or {}).get("api")
    if isinstance(api, dict) and isinstance(api.get("auth"), dict):
        auth = {k: (MASK if k in _SECRET_SLOTS and v else v) for k, v in api["auth"].items()}
        out["delivery"] = {**out["delivery"], "api": {**api, "auth": auth}}
    return out


@dataclass
class DeliveryAttempt:
    """One HTTP request the simulator sent for a tool call, and what came back."""

    method: str
    url: str
    headers: dict[str, str] = field(repr=False)
    body: bytes | None = field(repr=False)
    status: int | None = None
    response: str | None = field(default=None, repr=False)
    error: str | None = None


@dataclass
class ToolDeliveryRecord:
    """One tool call delivered over HTTP: every attempt and the result the replica got.

    Attributes:
        tool_id: The tool.
        name: Its name.
        conversation_id: The conversation that called it.
        arguments: The LLM's arguments.
        attempts: The requests sent (two when a 5xx was retried).
        output: The result fed back to the replica.
        status: ``"success"`` or ``"error"``.
    """

    tool_id: str
    name: str
    conversation_id: str
    arguments: dict[str, Any]
    attempts: list[DeliveryAttempt] = field(default_factory=list)
    output: Any = None
    status: str = "error"


class ToolsState:
    """The account's tools, their validation, and the HTTP sender (one per simulator)."""

    def __init__(self, sim: TavusSimulator, *, allow_private_urls: bool = False) -> None:
        self.sim = sim
        self.allow_private_urls = allow_private_urls
        self.deliveries: list[ToolDeliveryRecord] = []
        self.retry_5xx = True
        self._session: aiohttp.ClientSession | None = None
        self._oauth_tokens: dict[str, str] = {}

    async def aclose(self) -> None:
        """Close the sender's HTTP session."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    # -- the store ----------------------------------------------------------------------------

    def _now(self) -> str:
        # Tools show timestamps without a zone (2026-05-15T10:30:00), as the docs do.
        return self.sim.store.moment().strftime("%Y-%m-%dT%H:%M:%S")

    @property
    def tools(self) -> dict[str, Record]:
        """The account's user tools by id (the store's ``tools`` table)."""
        return self.sim.store.tools

    def _new_id(self) -> str:
        return self.sim.store.new_id("tools", hex_id("t", 12))  # tabc123def456, as in the docs

    def get(self, tool_id: str) -> Record:
        """The stored tool (secrets included), or 400 as on Tavus."""
        if tool_id == END_CALL["tool_id"]:
            return END_CALL
        tool = self.tools.get(tool_id)
        if tool is None:
            raise _bad(f"Tool not found: {tool_id}")
        return tool

    def attached(self, persona: Record | None) -> list[Record]:
        """The tools attached to a PAL (its ``tool_ids``), stored form."""
        ids = (persona or {}).get("tool_ids") or []
        return [self.tools[t] for t in ids if isinstance(t, str) and t in self.tools]

    # -- validation (the simulator's own, §6.9) -------------------------------------------------

    def _check_url(self, url: Any, where: str) -> None:
        if not isinstance(url, str) or not url:
            raise _bad(f"{where} is required")
        parts = urlsplit(url)
        if not parts.netloc:
            raise _bad(f"{where} must be an absolute https URL")
        if "{" in parts.netloc or "}" in parts.netloc:
            raise _bad(f"{where}: the hostname must be static (no placeholders)")
        if self.allow_private_urls:
            return
        if parts.scheme != "https":
            raise _bad(f"{where} must use https")
        refusal = host_refusal(url)
        if refusal:
            raise _bad(f"{where} must be publicly reachable: {refusal}")

    def _check_api(self, api: Any, current: Record | None) -> Record:
        if not isinstance(api, dict):
            raise _bad("delivery.api must be an object")
        self._check_url(api.get("url"), "delivery.api.url")
        method = api.get("method", "POST")
        if method not in _METHODS:
            raise _bad(f"delivery.api.method must be one of {', '.join(_METHODS)}")
        timeout = api.get("timeout", DEFAULT_TIMEOUT)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            raise _bad("delivery.api.timeout must be a number")
        if not 0 < timeout <= 60:
            raise _bad("delivery.api.timeout must be more than 0 and at most 60")
        auth = api.get("auth")
        if auth is not None:
            if not isinstance(auth, dict) or auth.get("type") not in _AUTH_TYPES:
                raise _bad(f"delivery.api.auth.type must be one of {', '.join(_AUTH_TYPES)}")
            old_auth = (((current or {}).get("delivery") or {}).get("api") or {}).get("auth")
            auth = dict(auth)
            for slot in _SECRET_SLOTS:
                if auth.get(slot) == MASK:
                    raise _bad(
                        f"delivery.api.auth.{slot} is the masked placeholder; omit it to keep "
                        "the stored secret"
                    )
                # A PATCH that leaves a secret out keeps the stored one (same auth type).
                if (
                    slot not in auth
                    and isinstance(old_auth, dict)
                    and old_auth.get("type") == auth["type"]
                    and slot in old_auth
                ):
                    auth[slot] = old_auth[slot]
            required = {
                "bearer": ("token",),
                "api_key": ("name", "value"),
                "basic": ("username", "password"),
                "oauth2_client_credentials": ("token_url", "client_id", "client_secret"),
                "hmac": ("secret",),
            }.get(auth["type"], ())
            for key in required:
                if not isinstance(auth.get(key), str) or not auth[key]:
                    raise _bad(f"delivery.api.auth.{key} is required for {auth['type']}")
            if auth["type"] == "oauth2_client_credentials":
                self._check_url(auth.get("token_url"), "delivery.api.auth.token_url")
            if auth["type"] == "api_key" and auth.setdefault("location", "header") not in (
                "header",
                "query",
            ):
                raise _bad("delivery.api.auth.location must be header or query")
            api = {**api, "auth": auth}
        # Undeclared placeholders and templating under hmac are refused by the CLI, not (as far
        # as the docs say) by the server, which ignores templating under hmac (§6.3, §15.1).
        if (auth or {}).get("type") == "hmac":
            return {**api, "method": "POST", "timeout": timeout}
        return {**api, "method": method, "timeout": timeout}

    def validate(self, body: Any, *, current: Record | None = None) -> Record:
        """A create or PATCH body merged onto ``current`` and checked (400 on a rule broken)."""
        if not isinstance(body, dict):
            raise _bad("the body must be a JSON object")
        if current is not None and current.get("is_system_tool"):
            raise _bad("Cannot update system tools")
        unknown = sorted(set(body) - set(_FIELDS))
        if unknown:
            raise _bad(f"unknown field(s): {', '.join(unknown)}")
        tool: Record = dict(current or {})
        tool.update(body)
        name = tool.get("name")
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise _bad("name must match ^[a-zA-Z_][a-zA-Z0-9_]{0,63}$")
        for other in self.tools.values():
            if other["name"] == name and other is not current:
                raise _bad(f"A tool named {name} already exists")
        description = tool.get("description")
        if not isinstance(description, str) or not description.strip():
            raise _bad("description is required")
        parameters = tool.get("parameters")
        parameters = {} if parameters is None else parameters
        if not isinstance(parameters, dict):
            raise _bad("parameters must be a JSON schema object")
        props = parameters.get("properties") or {}
        if not isinstance(props, dict):
            raise _bad("parameters.properties must be an object")
        reserved = sorted(p for p in props if p.startswith("tavus_"))
        if reserved:
            raise _bad(f"parameter names starting with tavus_ are reserved: {reserved[0]}")
        if len(description) + len(json.dumps(parameters)) > 10_000:
            raise _bad("description and parameters together exceed 10000 characters")
        tool["parameters"] = parameters
        delivery = tool.get("delivery")
        if delivery is None:
            delivery = {"app_message": True}  # PATCH delivery: null resets it
        if not isinstance(delivery, dict):
            raise _bad("delivery must be an object")
        app_message = bool(delivery.get("app_message"))
        api = delivery.get("api")
        if app_message == (api is not None):
            raise _bad("exactly one delivery channel is required: app_message or api")
        if api is not None:
            tool["delivery"] = {"app_message": False, "api": self._check_api(api, current)}
        else:
            tool["delivery"] = {"app_message": True}
        trigger = tool.setdefault("trigger_type", "in_call") or "in_call"
        if trigger not in ("in_call", "post_call"):
            raise _bad("trigger_type must be in_call or post_call")
        origin = tool.get("origin")
        if trigger == "post_call":
            if origin is not None:
                raise _bad("post_call tools must not set origin")
            if api is None:
                raise _bad("post_call tools need delivery.api")
        elif origin is None:
            tool["origin"] = origin = "llm"
        if origin not in (None, "llm", "vision", "audio"):
            raise _bad("origin must be llm, vision or audio")
        if origin in ("vision", "audio"):
            if tool.get("on_call") is not None or tool.get("static_filler") is not None:
                raise _bad("perception tools must not set on_call or static_filler")
            if tool.get("on_resolve") not in (None, "fire_and_forget"):
                raise _bad("perception tools must use on_resolve fire_and_forget")
            tool.update(on_call=None, on_resolve="fire_and_forget", static_filler=None)
        else:
            tool.setdefault("on_call", "generate_filler")
            tool["on_call"] = tool["on_call"] or "generate_filler"
            tool["on_resolve"] = tool.get("on_resolve") or "fire_and_forget"
            if tool["on_call"] not in _ON_CALL:
                raise _bad(f"on_call must be one of {', '.join(_ON_CALL)}")
            if tool["on_resolve"] not in _ON_RESOLVE:
                raise _bad(f"on_resolve must be one of {', '.join(_ON_RESOLVE)}")
            if tool["on_call"] == "static_filler" and not tool.get("static_filler"):
                raise _bad("static_filler is required when on_call is static_filler")
            tool.setdefault("static_filler", None)
        tags = tool.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise _bad("tags must be a list of strings")
        tool["tags"] = tags
        return tool

    def create(self, body: Any) -> Record:
        """Validate and store a new tool."""
        tool = self.validate(body)
        now = self._now()
        tid = self._new_id()
        tool.update(tool_id=tid, owner_id=1, is_system_tool=False, created_at=now, updated_at=now)
        self.tools[tid] = tool
        return tool

    def update(self, tool_id: str, body: Any) -> Record:
        """Apply a PATCH (a shallow field replace)."""
        current = self.get(tool_id)
        tool = self.validate(body, current=current)
        tool["updated_at"] = self._now()
        current.clear()
        current.update(tool)
        return current

    def delete(self, tool_id: str) -> None:
        """Delete a user tool and detach it from every PAL."""
        tool = self.get(tool_id)
        if tool.get("is_system_tool"):
            raise _bad("Cannot delete system tools")
        del self.tools[tool_id]
        for persona in self.sim.store.personas.values():
            ids = persona.get("tool_ids")
            if isinstance(ids, list) and tool_id in ids:
                persona["tool_ids"] = [t for t in ids if t != tool_id]

    # -- post-call actions ----------------------------------------------------------------------

    async def post_call_actions(self, conversation: Record) -> list[Record]:
        """Run the PAL's post-call actions once, as a call ends (§6.6); their event properties.

        Skipped for a conversation without dialogue. Tavus fills the open arguments from the
        transcript with an AI step; the simulator fills each required one with a simple value
        (the same rule as its replica's tool calls).
        """
        from ._brain import fill_arguments

        persona = self.sim.store.personas.get(str(conversation.get("persona_id")))
        actions = [t for t in self.attached(persona) if t.get("trigger_type") == "post_call"]
        spoke = any(t.get("role") == "user" for t in conversation.get("_transcript", []))
        out: list[Record] = []
        for tool in actions if spoke else []:
            arguments = fill_arguments(tool.get("parameters"))
            record = await self.send(tool, arguments, conversation["conversation_id"])
            last = record.attempts[-1]
            # The URL without its query: an api_key may travel there.
            url = urlunsplit(urlsplit(last.url)._replace(query=""))
            out.append(
                {
                    "tool_name": tool["name"],
                    "status": record.status,
                    "request": {"method": last.method, "url": url, "arguments": arguments},
                    "response": {"status": last.status, "body": record.output},
                }
            )
        return out

    # -- the sender -----------------------------------------------------------------------------

    async def deliver(
        self, tool: Record, arguments: dict[str, Any], conversation_id: str
    ) -> tuple[Any, str]:
        """Send one tool call as Tavus does; the (output, status) the replica then speaks."""
        record = await self.send(tool, arguments, conversation_id)
        return record.output, record.status

    async def send(
        self, tool: Record, arguments: dict[str, Any], conversation_id: str
    ) -> ToolDeliveryRecord:
        """Send one tool call as Tavus does and record the exchange (``sim.tool_deliveries``)."""
        record = ToolDeliveryRecord(tool["tool_id"], tool["name"], conversation_id, arguments)
        self.deliveries.append(record)
        api = tool["delivery"]["api"]
        refusal = None if self.allow_private_urls else host_refusal(api["url"])
        if refusal:
            record.output = f"the tool {tool['name']} could not be reached"
            record.attempts.append(DeliveryAttempt("POST", api["url"], {}, None, error=refusal))
            return record
        if self._session is None:
            self._session = aiohttp.ClientSession()
        auth = api.get("auth") or {"type": "none"}
        attempts = 2 if self.retry_5xx else 1
        refreshed = False
        status: int | None = None
        text = ""
        content_type = ""
        while attempts:
            attempts -= 1
            method, url, headers, body = await self._build(
                tool, api, auth, arguments, conversation_id
            )
            attempt = DeliveryAttempt(method, url, headers, body)
            record.attempts.append(attempt)
            try:
                timeout = aiohttp.ClientTimeout(total=float(api.get("timeout", DEFAULT_TIMEOUT)))
                async with self._session.request(
                    method, url, headers=headers, data=body, timeout=timeout, allow_redirects=False
                ) as resp:
                    status = resp.status
                    text = await resp.text(errors="replace")
                    content_type = resp.content_type
            except (aiohttp.ClientError, TimeoutError) as exc:
                attempt.error = type(exc).__name__
                status = None
                break  # a timeout or a refused connection is a failed call, not retried
            attempt.status, attempt.response = status, text
            if status == 401 and auth.get("type") == "oauth2_client_credentials" and not refreshed:
                # Tavus drops the cached token, fetches a new one and retries once (§6.4).
                refreshed = True
                self._oauth_tokens.pop(tool["tool_id"], None)
                attempts = max(attempts, 1)
                continue
            if status < 500:
                break
        if status is not None and 200 <= status < 300:
            output: Any = text
            if content_type == "application/json":
                try:
                    output = json.loads(text)
                except ValueError:
                    output = text
            record.output, record.status = output, "success"
        else:
            why = f"HTTP {status}" if status is not None else "no answer"
            record.output = f"the tool {tool['name']} failed ({why})"
        return record

    async def _build(
        self,
        tool: Record,
        api: Record,
        auth: Record,
        arguments: dict[str, Any],
        conversation_id: str,
    ) -> tuple[str, str, dict[str, str], bytes | None]:
        headers = {str(k): str(v) for k, v in (api.get("headers") or {}).items()}
        kind = auth.get("type")
        if kind == "hmac":
            # The Tavus-shape body, serialised once; the signature covers exactly these bytes.
            body = json.dumps(
                {
                    "conversation_id": conversation_id,
                    "name": tool["name"],
                    "arguments": json.dumps(arguments),
                },
                separators=(",", ":"),
            ).encode()
            signature = hmac.new(str(auth["secret"]).encode(), body, hashlib.sha256).hexdigest()
            headers.update({"Content-Type": "application/json", "X-Tavus-Signature": signature})
            return "POST", api["url"], headers, body
        values = {"tavus_conversation_id": conversation_id, **arguments}

        def fill(text: str, *, encode: bool) -> str:
            def one(match: re.Match[str]) -> str:
                value = values.get(match[1], "")
                value = value if isinstance(value, str) else json.dumps(value)
                return quote(value, safe="") if encode else value

            return _PLACEHOLDER_RE.sub(one, text)

        parts = urlsplit(api["url"])
        query = [q for q in [fill(parts.query, encode=True)] if q]
        params = {k: fill(str(v), encode=False) for k, v in (api.get("query_params") or {}).items()}
        if kind == "api_key" and auth.get("location") == "query":
            params[str(auth["name"])] = str(auth["value"])
        if params:
            query.append(urlencode(params))
        url = urlunsplit(
            (parts.scheme, parts.netloc, fill(parts.path, encode=True), "&".join(query), "")
        )
        if kind == "bearer":
            headers["Authorization"] = f"Bearer {auth['token']}"
        elif kind == "api_key" and auth.get("location", "header") == "header":
            headers[str(auth["name"])] = str(auth["value"])
        elif kind == "basic":
            pair = f"{auth['username']}:{auth['password']}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        elif kind == "oauth2_client_credentials":
            headers["Authorization"] = f"Bearer {await self._oauth_token(tool, auth)}"
        method = str(api.get("method", "POST"))
        if method in ("GET", "HEAD", "DELETE"):
            return method, url, headers, None
        template = api.get("body_template")

        def fill_value(value: Any) -> Any:
            if isinstance(value, str):
                whole = _PLACEHOLDER_RE.fullmatch(value)
                if whole:  # "{n}" alone keeps the argument's JSON type
                    return values.get(whole[1])
                return fill(value, encode=False)
            if isinstance(value, dict):
                return {k: fill_value(v) for k, v in value.items()}
            if isinstance(value, list):
                return [fill_value(v) for v in value]
            return value

        payload = fill_value(template) if template is not None else arguments
        headers.setdefault("Content-Type", str(api.get("content_type") or "application/json"))
        return method, url, headers, json.dumps(payload).encode()

    async def _oauth_token(self, tool: Record, auth: Record) -> str:
        cached = self._oauth_tokens.get(tool["tool_id"])
        if cached:
            return cached
        assert self._session is not None
        form = {
            "grant_type": "client_credentials",
            "client_id": str(auth["client_id"]),
            "client_secret": str(auth["client_secret"]),
        }
        if auth.get("scope"):
            form["scope"] = str(auth["scope"])
        try:
            async with self._session.post(
                auth["token_url"], data=form, timeout=aiohttp.ClientTimeout(total=10)
            ) as resp:
                data = await resp.json(content_type=None) if resp.status == 200 else {}
        except (aiohttp.ClientError, TimeoutError, ValueError):
            data = {}
        token = str((data or {}).get("access_token") or "")
        if token:
            self._oauth_tokens[tool["tool_id"]] = token
        return token
