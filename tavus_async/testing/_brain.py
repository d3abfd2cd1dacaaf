"""The simulated replica's brain: what it says on each user turn, and the hooks to script it.

The simulator's rooms (``_rooms.py``) own the mechanics (participants, speech timing, ``seq``);
this module decides *what* the replica does. ``sim.replica`` is a :class:`ScriptedReplica`:

- Scripted rules win over the default brain, first match first::

      sim.replica.when("weather", tool="get_weather", arguments={"location": "Paris"})
      sim.replica.when(re.compile(r"\\bprice\\b"), say="It costs 10 euros.", once=True)
      sim.replica.when("show my id", emit=perception_tool_call("id_shown", {"id_type": "passport"}))

- ``sim.replica.brain`` can be replaced by any :class:`ReplicaBrain` (an object with a sync or
  async ``reply(turn) -> Reply``) for full control.
- ``await sim.replica.push(conversation_id, *actions)`` makes the replica act unprompted now
  (speak, fire a perception tool call, an objective or a guardrail event).
- ``sim.replica.received(conversation_id)`` lists the interactions the replica received, and
  ``sim.replica.rejected(conversation_id)`` the invalid ones it ignored (with the reason).

The default brain (:class:`DefaultBrain`), documented so tests can rely on it:

- Tool calls: if the persona's ``layers.llm.tools`` has a function whose name appears in the
  user's text (case-insensitive), the replica calls it. A JSON object written right after the
  name (``get_weather {"location": "Paris"}``) becomes the arguments; otherwise every required
  parameter is filled with a simple value (its ``default``, its first ``enum`` value, or
  ``"test"``/``1``/``1.0``/``true``/``[]``/``{}`` by type). The replica then waits for the
  ``conversation.tool_result`` (``ScriptedReplica.tool_result_timeout`` seconds of simulator
  time) and speaks its output.
- Context: a text mentioning "context" or "what do you know" is answered with everything the
  replica knows: the persona's ``context`` and the conversation's ``conversational_context``,
  as changed by ``append_llm_context`` and ``overwrite_llm_context``.
- Otherwise it answers ``"You said: <text>"``.
"""

from __future__ import annotations

import inspect
import json
import re
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

from ..errors import InvalidInputError, NotAvailableError

__all__ = [
    "Action",
    "CallTool",
    "DefaultBrain",
    "Emit",
    "ReplicaBrain",
    "Reply",
    "Rule",
    "Say",
    "ScriptedReplica",
    "ScriptedTurn",
    "guardrail",
    "objective",
    "perception_tool_call",
]


@dataclass(frozen=True)
class ScriptedTurn:
    """What the brain sees when a user turn (a ``conversation.respond``) arrives.

    Attributes:
        conversation_id: The room's conversation.
        text: What the user "said".
        turn_idx: The turn's index (1 for the first respond; the greeting is turn 0).
        context: Everything the replica knows: persona context plus conversational context.
        system_prompt: The persona's system prompt, if any.
        tools: The persona's ``layers.llm.tools`` (OpenAI function-calling format).
        history: The transcript so far as ``(role, content)`` pairs, roles user/assistant.
    """

    conversation_id: str
    text: str
    turn_idx: int
    context: str
    system_prompt: str | None
    tools: tuple[dict[str, Any], ...]
    history: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Say:
    """The replica speaks ``text``."""

    text: str


def _default_result_speech(name: str, output: Any, status: str) -> str:
    text = output if isinstance(output, str) else json.dumps(output, sort_keys=True)
    if status == "error":
        return f"Sorry, {name} failed: {text}"
    return text


@dataclass(frozen=True)
class CallTool:
    """The replica emits ``conversation.tool_call`` and speaks the result it gets back.

    Attributes:
        name: The function name.
        arguments: The arguments (sent as a JSON string, as Tavus does).
        say_result: Turns ``(name, output, status)`` into the words spoken once the result
            arrives; by default the output itself (a JSON dump for objects), or
            ``"Sorry, <name> failed: ..."`` when the status is ``"error"``.
    """

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    say_result: Callable[[str, Any, str], str] = _default_result_speech


@dataclass(frozen=True)
class Emit:
    """The replica broadcasts one arbitrary event (perception tool call, objective, guardrail).

    ``seq``, ``timestamp``, ``conversation_id`` and ``turn_idx`` are filled in by the room.
    """

    event_type: str
    properties: dict[str, Any] = field(default_factory=dict)
    message_type: str = "conversation"
    inference_id: str | None = None


Action: TypeAlias = "Say | CallTool | Emit"
Reply: TypeAlias = "str | Action | Sequence[str | Action] | None"
"""What a brain returns: a string (spoken), one action, a sequence of them, or None (silence)."""


def perception_tool_call(
    name: str,
    arguments: dict[str, Any] | None = None,
    *,
    modality: str = "vision",
    frames: Sequence[dict[str, str]] | None = None,
) -> Emit:
    """Build a ``conversation.perception_tool_call`` event.

    Vision calls carry ``arguments`` as an object and ``frames`` as ``{data, mime_type}``
    objects; audio calls carry ``arguments`` as a JSON string, as Tavus documents.
    """
    args: dict[str, Any] = arguments or {}
    props: dict[str, Any] = {"name": name, "modality": modality}
    if modality == "audio":
        props["arguments"] = json.dumps(args)
    else:
        props["arguments"] = args
        props["frames"] = list(frames) if frames is not None else []
    return Emit("conversation.perception_tool_call", props)


def objective(
    objective_name: str,
    state: str = "completed",
    output_variables: dict[str, Any] | None = None,
) -> Emit:
    """Build a ``conversation.objective.<state>`` event (activated, pending or completed)."""
    props: dict[str, Any] = {"objective_name": objective_name}
    if output_variables is not None:
        props["output_variables"] = dict(output_variables)
    return Emit(f"conversation.objective.{state}", props)


def guardrail(
    name: str,
    reason: str = "",
    *,
    guardrail_uuid: str = "",
    event_type: str = "conversation.guardrail.triggered",
) -> Emit:
    """Build a guardrail event; Tavus does not document its ``event_type``, so it is a parameter."""
    return Emit(event_type, {"guardrail": name, "guardrail_uuid": guardrail_uuid, "reason": reason})


class ReplicaBrain(Protocol):
    """Decides the replica's reply to a user turn. ``reply`` may be sync or async."""

    def reply(self, turn: ScriptedTurn) -> Reply | Awaitable[Reply]:
        """Return what the replica does in answer to ``turn``."""
        ...


_JSON_TYPE_DEFAULTS: dict[str, Any] = {
    "string": "test",
    "integer": 1,
    "number": 1.0,
    "boolean": True,
    "array": [],
    "object": {},
}


def _function_of(tool: dict[str, Any]) -> dict[str, Any] | None:
    # OpenAI format is {"type": "function", "function": {...}}; accept a bare function too.
    fn = tool.get("function", tool)
    if isinstance(fn, dict) and isinstance(fn.get("name"), str) and fn["name"]:
        return fn
    return None


def fill_arguments(parameters: dict[str, Any] | None) -> dict[str, Any]:
    """Fill every required parameter of a JSON schema with a simple value."""
    if not isinstance(parameters, dict):
        return {}
    props = parameters.get("properties")
    props = props if isinstance(props, dict) else {}
    required = parameters.get("required")
    args: dict[str, Any] = {}
    for name in required if isinstance(required, list) else []:
        schema = props.get(name)
        schema = schema if isinstance(schema, dict) else {}
        if "default" in schema:
            args[name] = schema["default"]
        elif isinstance(schema.get("enum"), list) and schema["enum"]:
            args[name] = schema["enum"][0]
        else:
            kind = schema.get("type")
            kind = kind[0] if isinstance(kind, list) and kind else kind
            args[name] = _JSON_TYPE_DEFAULTS.get(kind if isinstance(kind, str) else "", "test")
    return args


def _arguments_after(text: str, name: str) -> dict[str, Any] | None:
    index = text.lower().find(name.lower())
    rest = text[index + len(name) :].lstrip()
    if not rest.startswith("{"):
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(rest)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class DefaultBrain:
    """The documented default behaviour (see the module docstring)."""

    def reply(self, turn: ScriptedTurn) -> Reply:
        """Call a tool the text names, answer a question about context, or repeat the text."""
        lowered = turn.text.lower()
        for tool in turn.tools:
            fn = _function_of(tool)
            if fn is not None and fn["name"].lower() in lowered:
                args = _arguments_after(turn.text, fn["name"])
                if args is None:
                    args = fill_arguments(fn.get("parameters"))
                return CallTool(fn["name"], args)
        if "context" in lowered or "what do you know" in lowered:
            if turn.context:
                return f"Here is what I know: {turn.context}"
            return "I have no context for this conversation."
        return f"You said: {turn.text}"


Matcher: TypeAlias = "str | re.Pattern[str] | Callable[[ScriptedTurn], bool]"


@dataclass
class Rule:
    """A scripted reply: when ``match`` matches a user turn, do ``actions`` instead of the brain.

    ``match`` is a case-insensitive substring, a compiled regular expression (searched), or a
    predicate over the :class:`ScriptedTurn`. ``hits`` counts how often the rule fired.
    """

    match: Matcher
    actions: tuple[Action, ...]
    once: bool = False
    hits: int = 0

    def matches(self, turn: ScriptedTurn) -> bool:
        """Whether this rule applies to ``turn`` (a spent ``once`` rule never does)."""
        if self.once and self.hits:
            return False
        if isinstance(self.match, str):
            return self.match.lower() in turn.text.lower()
        if isinstance(self.match, re.Pattern):
            return self.match.search(turn.text) is not None
        return bool(self.match(turn))


def normalize_reply(reply: Reply) -> list[Action]:
    """Turn any :data:`Reply` into a list of actions (strings become :class:`Say`)."""
    if reply is None:
        return []
    if isinstance(reply, str):
        return [Say(reply)] if reply else []
    if isinstance(reply, (Say, CallTool, Emit)):
        return [reply]
    actions: list[Action] = []
    for item in reply:
        actions.extend(normalize_reply(item))
    return actions


PushFn = Callable[[str, list[Action]], Awaitable[None]]


class ScriptedReplica:
    """The scripting hook for the simulated replica (``sim.replica``); see the module docstring.

    Attributes:
        brain: Answers user turns no rule matched; a :class:`DefaultBrain` unless replaced.
        greeting: Overrides every conversation's ``custom_greeting`` when set ("" = silent).
        default_greeting: Spoken when a conversation has no ``custom_greeting``.
        chars_per_second: Speech rate; a text's speaking ``duration`` grows with its length.
        tool_result_timeout: Simulator seconds to wait for a ``conversation.tool_result``.
        legacy_speaking_events: Also send ``conversation.replica.started_speaking`` /
            ``stopped_speaking`` (and ``conversation.replica_interrupted``) as older Tavus did.
        pal_duplicates: Send each unified speaking/streaming event twice, ``role`` "pal" then
            "replica", as Tavus does for PAL turns (to test a client's dedupe).
        history_limit: How many received/rejected interactions are kept per conversation.
        joins: Whether the replica joins rooms at all; False keeps it out (to test a
            client's join timeout, as when Tavus cannot start a replica).
    """

    def __init__(self) -> None:
        self.brain: ReplicaBrain = DefaultBrain()
        self.greeting: str | None = None
        self.default_greeting = "Hello! How can I help you today?"
        self.chars_per_second = 15.0
        self.tool_result_timeout = 30.0
        self.legacy_speaking_events = False
        self.pal_duplicates = False
        self.rules: list[Rule] = []
        self.history_limit = 1000
        self.joins = True
        self._received: dict[str, deque[dict[str, Any]]] = {}
        self._rejected: dict[str, deque[tuple[str, Any]]] = {}
        self._push: PushFn | None = None

    def when(
        self,
        match: Matcher,
        *,
        say: str | None = None,
        tool: str | None = None,
        arguments: dict[str, Any] | None = None,
        emit: Emit | Sequence[Emit] | None = None,
        once: bool = False,
    ) -> Rule:
        """Script a reply for user turns that ``match``; returns the :class:`Rule` (see ``hits``).

        Args:
            match: Substring (case-insensitive), compiled regex, or predicate over the ScriptedTurn.
            say: Words to speak.
            tool: A function to call (with ``arguments``); its result is then spoken.
            arguments: The tool's arguments (default ``{}``).
            emit: Events to broadcast first (perception tool calls, objectives, guardrails).
            once: Fire only for the first matching turn.

        Raises:
            ValueError: when the rule would do nothing, or ``arguments`` is given without ``tool``.
        """
        if arguments is not None and tool is None:
            raise InvalidInputError(
                "ScriptedReplica.when: 'arguments' needs 'tool' (the function to call)"
            )
        actions: list[Action] = []
        if emit is not None:
            actions.extend([emit] if isinstance(emit, Emit) else list(emit))
        if tool is not None:
            actions.append(CallTool(tool, dict(arguments or {})))
        if say is not None:
            actions.append(Say(say))
        if not actions:
            raise InvalidInputError(
                "ScriptedReplica.when: give at least one of say=, tool= or emit="
            )
        rule = Rule(match, tuple(actions), once=once)
        self.rules.append(rule)
        return rule

    def clear_rules(self) -> None:
        """Forget every scripted rule."""
        self.rules.clear()

    async def decide(self, turn: ScriptedTurn) -> list[Action]:
        """The actions for ``turn``: the first matching rule's, else the brain's reply."""
        for rule in self.rules:
            if rule.matches(turn):
                rule.hits += 1
                return list(rule.actions)
        reply = self.brain.reply(turn)
        if inspect.isawaitable(reply):
            reply = await reply
        return normalize_reply(reply)

    async def push(self, conversation_id: str, *actions: Action | str) -> None:
        """Make the replica act now in a live room (strings are spoken).

        Raises:
            LookupError: when the conversation has no open room.
        """
        if self._push is None:
            raise NotAvailableError(f"no open room for conversation {conversation_id!r}")
        await self._push(conversation_id, normalize_reply(list(actions)))

    async def say(self, conversation_id: str, text: str) -> None:
        """Make the replica speak ``text`` now (queued after its current speech)."""
        await self.push(conversation_id, Say(text))

    def received(self, conversation_id: str) -> list[dict[str, Any]]:
        """The last ``history_limit`` interactions the replica received here, oldest first.

        The room's ``stats()["interactions"]`` counts all of them.
        """
        return list(self._received.get(conversation_id, ()))

    def rejected(self, conversation_id: str) -> list[tuple[str, Any]]:
        """The last ``history_limit`` invalid interactions ignored, as ``(reason, message)``.

        The room's ``stats()["rejected"]`` counts all of them.
        """
        return list(self._rejected.get(conversation_id, ()))

    def forget(self, conversation_id: str) -> None:
        """Drop what was kept for an ended conversation (the simulator's retention bound)."""
        self._received.pop(conversation_id, None)
        self._rejected.pop(conversation_id, None)

    def _record(self, conversation_id: str, message: dict[str, Any]) -> None:
        # Bounded: a long audio-echo stream would otherwise keep every chunk in memory.
        log = self._received.get(conversation_id)
        if log is None:
            log = self._received[conversation_id] = deque(maxlen=self.history_limit)
        log.append(message)

    def _reject(self, conversation_id: str, reason: str, message: Any) -> None:
        log = self._rejected.get(conversation_id)
        if log is None:
            log = self._rejected[conversation_id] = deque(maxlen=self.history_limit)
        log.append((reason, message))
