"""Resource commands: ``list``, ``get``, ``create``, ``delete``, ``patch`` and the extras.

One command group per row of the resource catalog (:mod:`tavus_async._catalog`): the row says
which SDK namespace it maps to, which verbs it has, what a table shows and which convenience flags
``create`` and ``list`` have. The handlers are generic: they call
``tavus.<resource>.<verb>(...)`` and print what comes back.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import itertools
import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from .._catalog import CATALOG, CliFlag, ResourceDef
from ..errors import ConfigurationError
from .common import CLIUsageError, load_json_file, make_client, parse_assignment
from .output import Output

__all__ = [
    "RESOURCES",
    "CreateFlag",
    "ResourceSpec",
    "add_resource_parsers",
    "positive_float",
    "positive_int",
    "sdk_input",
]


#: The CLI's resources: every catalog row, in catalog order (one command group each).
RESOURCES: tuple[ResourceDef, ...] = CATALOG

#: A resource as the CLI sees it is its catalog row.
ResourceSpec = ResourceDef
#: A convenience flag of ``create`` or ``list`` (declared in the catalog).
CreateFlag = CliFlag


Handler = Callable[[argparse.Namespace, Output], Awaitable[int]]


def _method(tavus: Any, spec: ResourceDef, name: str) -> Callable[..., Any]:
    # Each spec lists only actions its resource has, so the attribute always exists.
    method: Callable[..., Any] = getattr(spec.namespace(tavus), name)
    return method


def _set_path(body: dict[str, Any], dotted: str, value: Any) -> None:
    # --set layers.llm.model=x builds nested objects, so one flag reaches any field.
    parts = dotted.split(".")
    node = body
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


def build_body(args: argparse.Namespace, spec: ResourceDef) -> dict[str, Any]:
    """Merge ``--file``, then the convenience flags, then ``--set`` (later wins).

    Raises:
        CLIUsageError: The file is not a JSON object, or a ``--set`` is malformed.
    """
    body = _file_object(args.file, f"{spec.cli.singular} fields")
    for flag in spec.cli.create_flags:
        value = getattr(args, _dest(flag.option), None)
        if value is None or (flag.kind == "bool" and value is False):
            continue
        if flag.kind == "pair" and flag.pair is not None:
            items = body.setdefault(flag.field, [])
            if not isinstance(items, list):
                raise CLIUsageError(f"{flag.option}: the file's {flag.field!r} is not a list")
            added: list[dict[str, Any]] = []
            for text in value:
                name, sep, prompt = text.partition("=")
                if not sep or not name or not prompt:
                    raise CLIUsageError(f"{flag.option} expects NAME=PROMPT, got {text!r}")
                added.append({flag.pair[0]: name, flag.pair[1]: prompt})
            if flag.chain:
                for item, following in itertools.pairwise(added):
                    item[flag.chain] = following[flag.pair[0]]
            items.extend(added)
            continue
        body[flag.field] = _json_flag(flag.option, value) if flag.kind == "json" else value
    _apply_assignments(body, args.set, "--set")
    return body


def _file_object(path: str | None, what: str) -> dict[str, Any]:
    # The base of a body: --file's JSON object, or nothing when no file was given.
    if not path:
        return {}
    loaded = load_json_file(path)
    if not isinstance(loaded, dict):
        raise CLIUsageError(f"--file: {path} must hold a JSON object of {what}")
    return dict(loaded)


def _apply_assignments(body: dict[str, Any], items: list[str] | None, flag: str) -> None:
    for item in items or ():
        key, value = parse_assignment(item, flag=flag)
        _set_path(body, key, value)


def _json_flag(option: str, text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise CLIUsageError(f"{option}: not valid JSON ({exc}): {text!r}") from None


def _dest(option: str) -> str:
    return "field_" + option.lstrip("-").replace("-", "_")


def build_patch(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Collect JSON Patch operations from ``--file`` and ``--replace``/``--add``/``--remove``.

    Raises:
        CLIUsageError: No operation was given, or the file does not hold a list of operations.
    """
    ops: list[dict[str, Any]] = []
    if args.file:
        loaded = load_json_file(args.file)
        if isinstance(loaded, dict):
            loaded = [loaded]
        if not isinstance(loaded, list) or not all(isinstance(op, dict) for op in loaded):
            raise CLIUsageError(
                f"--file: {args.file} must hold a JSON Patch list such as "
                '[{"op": "replace", "path": "/persona_name", "value": "New"}]'
            )
        ops.extend(loaded)
    for op_name in ("replace", "add"):
        for item in getattr(args, op_name) or ():
            path, value = parse_assignment(item, flag=f"--{op_name}")
            ops.append({"op": op_name, "path": _pointer(path, op_name), "value": value})
    for path in args.remove or ():
        ops.append({"op": "remove", "path": _pointer(path, "remove")})
    if not ops:
        raise CLIUsageError(
            "patch needs at least one operation: --replace /path=value, --add /path=value, "
            "--remove /path or --file ops.json"
        )
    return ops


def _pointer(path: str, op: str) -> str:
    if not path.startswith("/"):
        raise CLIUsageError(
            f"--{op}: {path!r} is not a JSON Pointer; paths start with '/' (e.g. /system_prompt)"
        )
    return path


async def cmd_list(args: argparse.Namespace, out: Output) -> int:
    """``<resource> list``: one page, or every item with ``--all``."""
    spec: ResourceDef = args.spec
    kwargs: dict[str, Any] = {}
    for flag in spec.list_filters:
        value = getattr(args, _dest(flag.option), None)
        if value is not None:
            kwargs[flag.field] = value
    if args.limit is not None:
        kwargs["limit"] = args.limit
    if args.page is not None:
        kwargs["page"] = args.page
    async with make_client(args) as tavus:
        method = _method(tavus, spec, "list")
        with sdk_input(spec, "list"):
            paginator = method(**kwargs)
        if args.all:
            items = [item async for item in paginator]
            total: int | None = len(items)
        else:
            page = await paginator
            items, total = list(page.data), page.total_count
    out.table(items, spec.cli.columns, total_count=total)
    return 0


async def _call(args: argparse.Namespace, action: str, *call_args: Any, **kwargs: Any) -> Any:
    # One client per command: call tavus.<resource>.<action>(...) and return what it answers.
    spec: ResourceDef = args.spec
    async with make_client(args) as tavus:
        with sdk_input(spec, action):
            return await _method(tavus, spec, action)(*call_args, **kwargs)


def _extra_body(extra: dict[str, Any]) -> dict[str, Any]:
    # Only pass extra_body when there is something in it, so the SDK's own default applies.
    return {"extra_body": extra} if extra else {}


async def cmd_get(args: argparse.Namespace, out: Output) -> int:
    """``<resource> get ID``."""
    kwargs: dict[str, Any] = {"verbose": True} if getattr(args, "verbose", False) else {}
    out.record(await _call(args, "get", args.id, **kwargs))
    return 0


async def cmd_create(args: argparse.Namespace, out: Output) -> int:
    """``<resource> create``: the body from ``--file``, flags and ``--set``; ``--extra`` unchecked.

    The SDK checks every field name and type before sending, so a typo is a usage error naming
    the field; ``--extra`` sends fields this SDK does not model yet, as given.
    """
    body = build_body(args, args.spec)
    extra: dict[str, Any] = {}
    _apply_assignments(extra, args.extra, "--extra")
    out.record(await _call(args, "create", body, **_extra_body(extra)))
    return 0


async def cmd_delete(args: argparse.Namespace, out: Output) -> int:
    """``<resource> delete ID [--hard]``."""
    kwargs: dict[str, Any] = {"hard": True} if getattr(args, "hard", False) else {}
    await _call(args, "delete", args.id, **kwargs)
    _done(out, "deleted", args.spec, args.id)
    return 0


async def cmd_end(args: argparse.Namespace, out: Output) -> int:
    """``conversations end ID``."""
    await _call(args, "end", args.id)
    _done(out, "ended", args.spec, args.id)
    return 0


async def cmd_patch(args: argparse.Namespace, out: Output) -> int:
    """``<resource> patch ID``: JSON Patch operations; prints the resource as it is now."""
    spec: ResourceDef = args.spec
    ops = build_patch(args)
    async with make_client(args) as tavus:
        with sdk_input(spec, "patch"):
            result = await _method(tavus, spec, "patch")(args.id, ops)
        resource = getattr(result, "resource", None)
        if resource is None:
            # Most patch endpoints answer a bare "OK" (or 304): show the state that resulted.
            resource = await _method(tavus, spec, "get")(args.id)
    if getattr(result, "changed", True) is False and not out.json_mode:
        out.line("(no change: Tavus answered 304 Not Modified)")
    out.record(resource)
    return 0


async def cmd_rename(args: argparse.Namespace, out: Output) -> int:
    """``replicas rename ID NAME`` / ``videos rename ID NAME``."""
    await _call(args, "rename", args.id, args.name)
    _done(out, "renamed", args.spec, args.id, name=args.name)
    return 0


async def cmd_update(args: argparse.Namespace, out: Output) -> int:
    """``<resource> update ID``: the row's update flags, plus ``--set``/``--file`` where the SDK
    method takes ``extra_body`` (documents)."""
    spec: ResourceDef = args.spec
    known: dict[str, Any] = {}
    for flag in spec.cli.update_flags:
        value = getattr(args, _dest(flag.option), None)
        if value is not None:
            known[flag.field] = list(value) if flag.kind == "list" else value
    extra = _file_object(getattr(args, "file", None), "fields")
    _apply_assignments(extra, getattr(args, "set", None), "--set")
    for flag in spec.cli.update_flags:
        if flag.field in extra:
            known[flag.field] = extra.pop(flag.field)
    if not known and not extra:
        options = ", ".join(f.option for f in spec.cli.update_flags)
        raise CLIUsageError(f"update needs a field: {options}, --set KEY=VALUE or --file")
    out.record(await _call(args, "update", args.id, **known, **_extra_body(extra)))
    return 0


async def cmd_publish(args: argparse.Namespace, out: Output) -> int:
    """``pals publish ID``: the draft goes live."""
    out.record(await _call(args, "publish", args.id))
    return 0


async def cmd_check_username(args: argparse.Namespace, out: Output) -> int:
    """``pals check-username NAME``: whether a conferencing username is free."""
    out.record(await _call(args, "check_username", args.username))
    return 0


async def cmd_nested(args: argparse.Namespace, out: Output) -> int:
    """``pal-skills <verb> PAL_ID [SKILL_ID]``: a namespace inside another one."""
    spec: ResourceDef = args.spec
    verb: str = args.verb
    call_args: list[Any] = [args.parent]
    if getattr(args, "id", None) is not None:
        call_args.append(args.id)
    config = getattr(args, "config", None)
    if verb in ("attach", "update") and (config is not None or verb == "update"):
        if config is None:
            raise CLIUsageError("update needs --config JSON (the keys to change)")
        call_args.append(_json_object(config, "--config"))
    if verb == "replace":
        call_args.append(_json_object(args.skills, "--skills"))
    result = await _call(args, verb, *call_args)
    if verb == "detach":
        _done(out, "detached", spec, args.id)
    elif isinstance(result, (dict, list)):
        # A PAL's skills come as a dict by id, its tools as a list.
        items = list(result.values()) if isinstance(result, dict) else result
        out.table(items, spec.cli.columns, total_count=len(items))
    else:
        out.record(result)
    return 0


def _json_object(text: str, option: str) -> dict[str, Any]:
    value = _json_flag(option, text)
    if not isinstance(value, dict):
        raise CLIUsageError(f"{option} must be a JSON object, got {text!r}")
    return value


async def cmd_recrawl(args: argparse.Namespace, out: Output) -> int:
    """``documents recrawl ID [--depth N] [--max-pages N]``."""
    crawl = {
        key: value
        for key, value in (("depth", args.depth), ("max_pages", args.max_pages))
        if value is not None
    }
    kwargs: dict[str, Any] = {"crawl": crawl} if crawl else {}
    out.record(await _call(args, "recrawl", args.id, **kwargs))
    return 0


async def cmd_tags(args: argparse.Namespace, out: Output) -> int:
    """``<resource> tags [--search TEXT]``: the tags in use."""
    kwargs = {k: v for k, v in (("search", args.search), ("limit", args.limit)) if v is not None}
    result = await _call(args, "tags", **kwargs)
    if out.json_mode:
        out.record(result)
    else:
        out.table([{"tag": t} for t in result.tags], ("tag",), total_count=result.total_count)
    return 0


async def cmd_chunks(args: argparse.Namespace, out: Output) -> int:
    """``documents chunks ID``: the indexed pieces of a document."""
    kwargs = {k: v for k, v in (("collection", args.collection), ("limit", args.limit)) if v}
    out.record(await _call(args, "chunks", args.id, **kwargs))
    return 0


async def cmd_validate(args: argparse.Namespace, out: Output) -> int:
    """``objectives validate --file SET.json``: check a set without storing it."""
    body = build_body(args, args.spec)
    result = await _call(args, "validate", body)
    out.record(result)
    return 0 if result.ok else 1


async def cmd_init(args: argparse.Namespace, out: Output) -> int:
    """``deployments init ID``: what a public page loads (no API key sent)."""
    out.record(await _call(args, "init", args.id, origin=args.origin))
    return 0


async def cmd_start(args: argparse.Namespace, out: Output) -> int:
    """``deployments start ID``: start a visitor's call (no API key sent)."""
    body = {
        k: v
        for k, v in (
            ("password", args.password),
            ("conversational_context", args.context),
            ("custom_greeting", args.greeting),
        )
        if v is not None
    }
    out.record(await _call(args, "start", args.id, body, origin=args.origin))
    return 0


async def cmd_end_conversation(args: argparse.Namespace, out: Output) -> int:
    """``deployments end-conversation ID CONVERSATION_ID`` (no API key sent)."""
    out.record(await _call(args, "end_conversation", args.id, args.conversation_id))
    return 0


@contextlib.contextmanager
def sdk_input(spec: ResourceDef, action: str) -> Iterator[None]:
    """Report the SDK's own input checks (``ValueError``/``TypeError`` before any request) as
    usage errors that name the resource and action."""
    try:
        yield
    except ConfigurationError:
        raise  # not the command line's fault: reported with exit status 1
    except (ValueError, TypeError) as exc:  # InvalidInputError and InvalidTypeError included
        # The SDK's hint names its Python escape hatch; on the command line that is --extra.
        text = str(exc).replace("pass it in extra_body={...}", "pass it with --extra KEY=VALUE")
        raise CLIUsageError(f"{spec.name} {action}: {text}") from None


def _done(out: Output, verb: str, spec: ResourceDef, resource_id: str, **extra: Any) -> None:
    if out.json_mode:
        out.json({verb: True, spec.id_field: resource_id, **extra})
    else:
        out.line(f"{verb} {spec.cli.singular} {resource_id}")


def add_resource_parsers(
    commands: argparse._SubParsersAction[Any],
    common: argparse.ArgumentParser,
    wait_handler: Handler,
) -> None:
    """Add one sub-command group per resource to ``commands``."""
    for spec in RESOURCES:
        if spec.parent is None:
            _add_resource_parser(commands, common, wait_handler, spec)
        else:
            _add_nested_parser(commands, common, spec)


def _add_resource_parser(
    commands: argparse._SubParsersAction[Any],
    common: argparse.ArgumentParser,
    wait_handler: Handler,
    spec: ResourceDef,
) -> None:
    # One action per verb of the catalog row (plus ``wait`` where the SDK has a waiter).
    verbs = spec.verbs
    singular = spec.cli.singular
    group = commands.add_parser(
        spec.cli_name, help=f"{spec.cli_name}: {', '.join(verbs)}", parents=[common]
    )
    actions = group.add_subparsers(
        dest="action", metavar="ACTION", required=True, help="what to do (ACTION --help)"
    )

    def action(
        name: str, handler: Handler, help: str, *, with_id: bool = True, **kw: Any
    ) -> argparse.ArgumentParser:
        # Every action shares the common options, and all but list/create take the id first.
        p: argparse.ArgumentParser = actions.add_parser(name, help=help, parents=[common], **kw)
        if with_id:
            p.add_argument(
                "id", metavar=spec.id_field.upper(), help=f"the {singular}'s {spec.id_field}"
            )
        p.set_defaults(handler=handler, spec=spec)
        return p

    if "list" in verbs:
        p = action("list", cmd_list, f"list {spec.cli_name}", with_id=False)
        p.add_argument("--limit", type=positive_int, help="items per page")
        p.add_argument("--page", type=_non_negative_int, help="the page to show")
        p.add_argument("--all", action="store_true", help="every item, across all pages")
        for flag in spec.list_filters:
            p.add_argument(
                flag.option, dest=_dest(flag.option), metavar=flag.field.upper(), help=flag.help
            )

    if "get" in verbs:
        p = action("get", cmd_get, f"show one {singular}")
        if spec.cli.verbose_get:
            p.add_argument("--verbose", action="store_true", help="ask for the verbose form")

    if "create" in verbs:
        p = action(
            "create",
            cmd_create,
            f"create a {singular}",
            with_id=False,
            description="The body comes from --file, then the flags, then --set (later wins).",
        )
        p.add_argument("--file", metavar="BODY.json", help="a JSON object of fields ('-': stdin)")
        for flag in spec.cli.create_flags:
            p.add_argument(flag.option, dest=_dest(flag.option), help=flag.help, **_flag_kind(flag))
        p.add_argument(
            "--set",
            action="append",
            metavar="KEY=VALUE",
            help="any field; VALUE is JSON when it parses (dots nest: layers.llm.model)",
        )
        p.add_argument(
            "--extra",
            action="append",
            metavar="KEY=VALUE",
            help="a field this SDK does not model yet, sent unchecked",
        )

    if "delete" in verbs:
        p = action("delete", cmd_delete, f"delete a {singular}")
        if spec.cli.delete_hard:
            p.add_argument("--hard", action="store_true", help="also remove associated assets")

    if "patch" in verbs:
        p = action(
            "patch",
            cmd_patch,
            f"change a {singular} with JSON Patch",
            description="Operations from --file (a JSON Patch list), then the flags.",
        )
        p.add_argument("--file", metavar="OPS.json", help="a JSON Patch list ('-': stdin)")
        p.add_argument(
            "--replace",
            action="append",
            metavar="/PATH=VALUE",
            help="set a field that exists (repeatable; VALUE is JSON when it parses): "
            "--replace /persona_name=Guide",
        )
        p.add_argument(
            "--add",
            action="append",
            metavar="/PATH=VALUE",
            help="set a field that may be missing, or append to a list with /list/- "
            "(repeatable): --add /layers/llm/speculative_inference=true",
        )
        p.add_argument(
            "--remove",
            action="append",
            metavar="/PATH",
            help="remove a field (repeatable): --remove /context",
        )

    if "rename" in verbs:
        action("rename", cmd_rename, f"rename a {singular}").add_argument(
            "name", metavar="NAME", help=f"the {singular}'s new name"
        )

    if "update" in verbs:
        p = action("update", cmd_update, f"change a {singular}")
        for flag in spec.cli.update_flags:
            p.add_argument(flag.option, dest=_dest(flag.option), help=flag.help, **_flag_kind(flag))
        if _takes_extra_body(spec, "update"):
            p.add_argument("--file", metavar="BODY.json", help="a JSON object of fields")
            p.add_argument(
                "--set",
                action="append",
                metavar="KEY=VALUE",
                help="any field; VALUE is JSON when it parses (fields this SDK does not model "
                "are sent as given)",
            )

    if "publish" in verbs:
        action("publish", cmd_publish, f"publish the {singular}'s draft")

    if "check_username" in verbs:
        p = action(
            "check-username",
            cmd_check_username,
            "whether a conferencing username is free",
            with_id=False,
        )
        p.add_argument("username", metavar="USERNAME", help="the username to check")

    if "end" in verbs:
        action("end", cmd_end, "end a live conversation")

    if "recrawl" in verbs:
        p = action("recrawl", cmd_recrawl, f"crawl a {singular} again")
        p.add_argument("--depth", type=positive_int, help="how many links deep (this run only)")
        p.add_argument("--max-pages", type=positive_int, help="at most this many pages")

    _add_2026_actions(action, spec)

    if callable(getattr(spec.cls, "wait_until_ready", None)):
        p = action("wait", wait_handler, f"wait until the {singular} is ready")
        p.add_argument(
            "--timeout",
            type=positive_float,
            default=None,
            help="give up after this many seconds",
        )
        p.add_argument(
            "--interval", type=positive_float, default=None, help="seconds between polls"
        )


def _takes_extra_body(spec: ResourceDef, verb: str) -> bool:
    # An explicit extra_body, or the per-call options (RequestOptions) that carry one.
    method = getattr(spec.resource_class, verb, None)
    if method is None:
        return False
    params = inspect.signature(method).parameters
    options = params.get("options")
    return "extra_body" in params or (
        options is not None and "RequestOptions" in str(options.annotation)
    )


def _takes(spec: ResourceDef, verb: str, parameter: str) -> bool:
    method = getattr(spec.resource_class, verb, None)
    return method is not None and parameter in inspect.signature(method).parameters


def _add_2026_actions(action: Callable[..., argparse.ArgumentParser], spec: ResourceDef) -> None:
    # The verbs of issue 13 part B: tag lists, chunks, a dry-run check, deployments' public calls.
    verbs = spec.verbs
    if "tags" in verbs:
        p = action("tags", cmd_tags, f"the tags used on {spec.cli_name}", with_id=False)
        p.add_argument("--search", help="only tags containing this text")
        p.add_argument("--limit", type=positive_int, help="at most this many")
    if "chunks" in verbs:
        p = action("chunks", cmd_chunks, f"the indexed chunks of a {spec.cli.singular}")
        p.add_argument("--collection", help="regular (default) or customer_support")
        p.add_argument("--limit", type=positive_int, help="at most this many")
    if "validate" in verbs:
        p = action(
            "validate",
            cmd_validate,
            f"check a {spec.cli.singular} without storing it (exit 1 when invalid)",
            with_id=False,
        )
        p.add_argument("--file", metavar="BODY.json", help="the body create would take")
        for flag in spec.cli.create_flags:
            p.add_argument(flag.option, dest=_dest(flag.option), help=flag.help, **_flag_kind(flag))
        p.add_argument(
            "--set",
            action="append",
            metavar="KEY=VALUE",
            help="any field; VALUE is JSON when it parses (dots nest)",
        )
    if "init" in verbs:
        p = action("init", cmd_init, "what a public page loads (no API key)")
        p.add_argument("--origin", help="the page's Origin")
    if "start" in verbs:
        p = action("start", cmd_start, "start a visitor's call (no API key)")
        p.add_argument("--origin", help="the page's Origin")
        p.add_argument("--password", help="the deployment's password")
        p.add_argument("--context", help="conversational context for this call")
        p.add_argument("--greeting", help="what the PAL says first")
    if "end_conversation" in verbs:
        p = action("end-conversation", cmd_end_conversation, "end a visitor's call (no API key)")
        p.add_argument(
            "conversation_id", metavar="CONVERSATION_ID", help="the visitor's conversation"
        )


def _add_nested_parser(
    commands: argparse._SubParsersAction[Any],
    common: argparse.ArgumentParser,
    spec: ResourceDef,
) -> None:
    # A namespace inside another (tavus.pals.skills): every action takes the parent's id first.
    assert spec.parent_id is not None
    group = commands.add_parser(
        spec.cli_name, help=f"{spec.cli_name}: {', '.join(spec.verbs)}", parents=[common]
    )
    actions = group.add_subparsers(
        dest="action", metavar="ACTION", required=True, help="what to do (ACTION --help)"
    )
    for verb in spec.verbs:
        p = actions.add_parser(verb, help=f"{verb} ({spec.cli.singular})", parents=[common])
        p.add_argument(
            "parent", metavar=spec.parent_id.upper(), help=f"the owner's {spec.parent_id}"
        )
        if verb not in ("list", "replace"):
            p.add_argument(
                "id", metavar=spec.id_field.upper(), help=f"the {spec.cli.singular}'s id"
            )
        if verb in ("attach", "update") and _takes(spec, verb, "config"):
            p.add_argument("--config", metavar="JSON", help="the skill's config, as JSON")
        if verb == "replace":
            p.add_argument(
                "--skills", required=True, metavar="JSON", help='{"<skill_id>": {config} | null}'
            )
        p.set_defaults(handler=cmd_nested, spec=spec, verb=verb)


def _flag_kind(flag: CreateFlag) -> dict[str, Any]:
    # How argparse reads a convenience flag of each kind (see CreateFlag.kind).
    if flag.kind == "bool":
        return {"action": "store_true"}
    if flag.kind == "pair":
        return {"action": "append", "metavar": "NAME=PROMPT"}
    if flag.kind == "list":
        return {"action": "append", "metavar": flag.field.upper().rstrip("S")}
    return {"metavar": "JSON" if flag.kind == "json" else flag.field.upper()}


def positive_int(text: str) -> int:
    return _int_at_least(text, 1)


def positive_float(text: str) -> float:
    """An argparse type for durations: a number of seconds above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, got {text}")
    return value


def _non_negative_int(text: str) -> int:
    return _int_at_least(text, 0)


def _int_at_least(text: str, floor: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < floor:
        raise argparse.ArgumentTypeError(f"must be {floor} or more, got {value}")
    return value
