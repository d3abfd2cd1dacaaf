"""A Python function's parameters as a msgspec Struct: one type that both describes and decodes.

The registry turns each tool function's signature into a keyword-only Struct built with
:func:`msgspec.defstruct`. The same Struct then gives two things, so they can never disagree:

- the JSON schema the LLM sees (:func:`msgspec.json.schema`, with its ``$ref`` s inlined where
  the type is not recursive, because Tavus and most LLM providers read a flat schema best), and
- the decoder for a call's arguments (:func:`msgspec.convert`), whose error names the argument.

Descriptions come from ``Annotated[..., msgspec.Meta(description=...)]`` first and from the
docstring's ``Args:`` section second (parsed by ``docstring_parser``, which reads Google, NumPy,
reST and Epydoc styles).
"""

from __future__ import annotations

import copy
import inspect
import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import docstring_parser
import msgspec

from ..errors import InvalidInputError

__all__ = ["ArgumentsError", "ParamsModel", "build_params_model"]

# Tavus rejects tool parameters with this prefix: it is where its own placeholders live.
_RESERVED_PREFIX = "tavus_"
_PATH_RE = re.compile(r" - at `\$\.(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<rest>[^`]*)`$")
_MISSING_RE = re.compile(r"^Object missing required field `(?P<name>[^`]+)`$")


class ArgumentsError(InvalidInputError):
    """A tool call's arguments do not fit the function's parameters.

    Attributes:
        tool: The tool name.
        argument: The argument that was wrong (None when the arguments as a whole were).
    """

    def __init__(self, tool: str, message: str, *, argument: str | None = None) -> None:
        super().__init__(message)
        self.tool = tool
        self.argument = argument


@dataclass(frozen=True, slots=True)
class ParamsModel:
    """What the registry knows about a function's parameters.

    Attributes:
        struct: The keyword-only Struct the arguments decode into.
        fields: The parameter names the LLM fills, in signature order.
        injected: Parameter name -> what the registry passes itself (``"context"`` or ``"call"``).
        var_keyword: True when the function takes ``**kwargs``: unknown arguments go there.
        schema: The JSON schema of the parameters (an ``object`` schema).
        description: The docstring's summary and body (empty without a docstring).
    """

    struct: type[msgspec.Struct]
    fields: tuple[str, ...]
    injected: Mapping[str, str]
    var_keyword: bool
    schema: dict[str, Any]
    description: str
    decoder: msgspec.json.Decoder[Any] = field(repr=False)

    def decode(self, tool: str, arguments: Any) -> dict[str, Any]:
        """A call's ``arguments`` (a JSON string, an object, ``""`` or None) validated into the
        annotated types: the keyword arguments of the call.

        Raises:
            ArgumentsError: The arguments are not a JSON object, or an argument is missing or
                has the wrong type (the message names it).
        """
        if arguments is None or arguments == "":
            arguments = {}
        elif isinstance(arguments, (str, bytes)):
            if not self.var_keyword:
                # One pass from JSON text to the Struct: no dict in between.
                try:
                    return self._kwargs(self.decoder.decode(arguments), {})
                except msgspec.ValidationError as exc:
                    raise _arguments_error(tool, str(exc)) from None
                except msgspec.DecodeError:
                    raise ArgumentsError(
                        tool, f"tool {tool}: the arguments are not valid JSON"
                    ) from None
            try:
                arguments = msgspec.json.decode(arguments)
            except msgspec.DecodeError:
                raise ArgumentsError(
                    tool, f"tool {tool}: the arguments are not valid JSON"
                ) from None
        if not isinstance(arguments, dict):
            raise ArgumentsError(
                tool,
                f"tool {tool}: the arguments must be an object, got {type(arguments).__name__}",
            )
        try:
            value = msgspec.convert(arguments, self.struct)
        except msgspec.ValidationError as exc:
            raise _arguments_error(tool, str(exc)) from None
        return self._kwargs(value, arguments if self.var_keyword else {})

    def _kwargs(self, value: Any, extra: dict[str, Any]) -> dict[str, Any]:
        kwargs = {name: getattr(value, name) for name in self.fields}
        if extra:
            kwargs.update({k: v for k, v in extra.items() if k not in kwargs})
        return kwargs


def _not_json(tool: str) -> ArgumentsError:
    return ArgumentsError(tool, f"tool {tool}: the arguments are not valid JSON")


def _arguments_error(tool: str, text: str) -> ArgumentsError:
    if text.startswith("Expected `object`, got `") and " - at " not in text:
        got = text.removeprefix("Expected `object`, got `").rstrip("`")
        return ArgumentsError(tool, f"tool {tool}: the arguments must be an object, got {got}")
    missing = _MISSING_RE.match(text)
    if missing:
        name = missing["name"]
        return ArgumentsError(
            tool, f"tool {tool}: the required argument {name!r} is missing", argument=name
        )
    at = _PATH_RE.search(text)
    if at:
        name, rest = at["name"], at["rest"]
        detail = text[: at.start()]
        where = f" (at {name}{rest})" if rest else ""
        return ArgumentsError(
            tool, f"tool {tool}: argument {name!r} is invalid{where}: {detail}", argument=name
        )
    return ArgumentsError(tool, f"tool {tool}: the arguments are invalid: {text}")


def _type_hints(
    fn: Callable[..., Any], tool: str, localns: Mapping[str, Any] | None
) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn, localns=dict(localns or {}), include_extras=True)
    except Exception as exc:  # NameError for a type defined inside a function, and friends
        raise InvalidInputError(
            f"tool {tool}: cannot resolve the type annotations of {fn!r} ({exc}); define the "
            "types it uses at module level"
        ) from None


def build_params_model(
    fn: Callable[..., Any],
    tool: str,
    *,
    context_type: type,
    call_type: type | None,
    localns: Mapping[str, Any] | None = None,
) -> ParamsModel:
    """Read ``fn``'s signature into a :class:`ParamsModel`.

    ``localns`` resolves string annotations that name the defining function's locals. A
    parameter annotated ``context_type`` receives the call's context; one named ``call`` (or
    annotated ``call_type``) receives the room's ``ToolCall`` event. Neither is in the schema.

    Raises:
        InvalidInputError: A parameter is positional-only or ``*args``, uses the reserved
            ``tavus_`` prefix, or has a type msgspec cannot describe.
    """
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        signature = None
    hints = _type_hints(fn, tool, localns) if signature is not None else {}
    doc = docstring_parser.parse(inspect.getdoc(fn) or "")
    arg_docs = {p.arg_name: p.description for p in doc.params if p.description}

    fields: list[tuple[str, Any, Any] | tuple[str, Any]] = []
    names: list[str] = []
    injected: dict[str, str] = {}
    var_keyword = False
    for name, param in signature.parameters.items() if signature is not None else ():
        annotation = hints.get(name, Any)
        if param.kind is param.VAR_KEYWORD:
            var_keyword = True
            continue
        if param.kind in (param.VAR_POSITIONAL, param.POSITIONAL_ONLY):
            raise InvalidInputError(
                f"tool {tool}: parameter {name!r} cannot be filled by name; a tool function takes "
                "keyword arguments only (no positional-only parameters, no *args)"
            )
        if _mentions(annotation, context_type):
            injected[name] = "context"
            continue
        if name == "call" or (call_type is not None and _mentions(annotation, call_type)):
            injected[name] = "call"
            continue
        if name.startswith(_RESERVED_PREFIX):
            raise InvalidInputError(
                f"tool {tool}: parameter {name!r} uses the prefix 'tavus_', which Tavus reserves "
                "for the placeholders it injects; rename it"
            )
        names.append(name)
        if param.default is param.empty:
            fields.append((name, annotation))
        else:
            fields.append((name, annotation, _field_default(param.default)))

    struct_name = f"{tool}_arguments"
    try:
        struct = msgspec.defstruct(struct_name, fields, kw_only=True)
        raw = msgspec.json.schema(struct)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(
            f"tool {tool}: its parameters cannot be described as JSON schema ({exc}); use str, "
            "numbers, bool, Literal, enums, lists, dicts, msgspec Structs or TypedDicts"
        ) from None
    schema = _object_schema(raw, struct_name)
    properties = schema.get("properties", {})
    for name, text in arg_docs.items():
        prop = properties.get(name)
        if isinstance(prop, dict) and "description" not in prop:
            prop["description"] = text
    description = "\n\n".join(p for p in (doc.short_description, doc.long_description) if p)
    decoder = msgspec.json.Decoder(struct)
    return ParamsModel(struct, tuple(names), injected, var_keyword, schema, description, decoder)


def _mentions(annotation: Any, target: type) -> bool:
    """Whether ``annotation`` is ``target``, optionally ``Annotated`` or in a union with None."""
    if annotation is target:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _mentions(typing.get_args(annotation)[0], target)
    if origin is typing.Union or origin is types.UnionType:
        return any(_mentions(arg, target) for arg in typing.get_args(annotation))
    return False


def _field_default(default: Any) -> Any:
    # msgspec wants a factory for mutable defaults; a copy per call keeps calls independent.
    if isinstance(default, (list, dict, set, bytearray)):
        return msgspec.field(default_factory=lambda: copy.copy(default))
    return default


def _object_schema(raw: dict[str, Any], root: str) -> dict[str, Any]:
    """The root object schema with every non-recursive ``$ref`` replaced by its definition."""
    defs: dict[str, Any] = raw.get("$defs", {})
    recursive: set[str] = set()

    def inline(node: Any, stack: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [inline(item, stack) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref.removeprefix("#/$defs/")
            if name in stack:
                recursive.add(name)
                return dict(node)
            resolved = inline(defs[name], (*stack, name))
            siblings = {k: inline(v, stack) for k, v in node.items() if k != "$ref"}
            return {**resolved, **siblings}
        return {k: inline(v, stack) for k, v in node.items()}

    body = inline(defs[root], (root,))
    body.pop("title", None)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": body.get("properties", {}),
        "required": body.get("required", []),
    }
    if recursive:
        # A recursive type cannot be inlined: keep the definitions it points at.
        schema["$defs"] = {name: inline(defs[name], (name,)) for name in sorted(recursive)}
    return schema
