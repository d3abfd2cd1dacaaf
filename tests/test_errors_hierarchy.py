"""One error base: everything the SDK raises on purpose is a TavusError (and the builtin that fits).

A static check reads every module of the package for a ``raise`` of a builtin exception outside
``errors.py``; behaviour tests check the types and what each message tells the user to do.
"""

from __future__ import annotations

import ast
import builtins
import pickle
import sys
from pathlib import Path

import pytest

import tavus_async
from tavus_async import AsyncTavus, Utterance
from tavus_async.errors import (
    AuthenticationError,
    ConfigurationError,
    InvalidInputError,
    InvalidTypeError,
    MissingExtraError,
    RateLimitError,
    StateError,
    TavusError,
    WaitTimeoutError,
)
from tavus_async.testing import TavusSimulator

PACKAGE = Path(tavus_async.__file__).parent
_BUILTIN_ERRORS = {
    name
    for name, obj in vars(builtins).items()
    if isinstance(obj, type) and issubclass(obj, BaseException)
}
#: Raises of builtins that are protocol, not errors: a ``__getattr__`` must raise AttributeError
#: for ``hasattr``/``getattr`` to work, iterators end with StopIteration, the CLI exits.
_PROTOCOL = {
    "StopIteration",
    "StopAsyncIteration",
    "KeyboardInterrupt",
    "GeneratorExit",
    "SystemExit",
}


def _raises(tree: ast.AST) -> list[tuple[ast.Raise, str | None]]:
    """Every ``raise`` with the name of the function it is in (None at module level)."""
    found: list[tuple[ast.Raise, str | None]] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child.name)
            else:
                if isinstance(child, ast.Raise):
                    found.append((child, function))
                visit(child, function)

    visit(tree, None)
    return found


def _builtin_raises() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "errors.py":
            continue
        for node, function in _raises(ast.parse(path.read_text(), rel)):
            if node.exc is None:
                continue
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            name = exc.id if isinstance(exc, ast.Name) else None
            if isinstance(exc, ast.Attribute) and isinstance(exc.value, ast.Name):
                # asyncio.TimeoutError, concurrent.futures...: builtins in another module.
                name = exc.attr if exc.value.id in ("asyncio", "concurrent") else None
            if name is None or name in _PROTOCOL:
                continue
            if name == "AttributeError" and function == "__getattr__":
                continue
            if name in _BUILTIN_ERRORS or name == "TimeoutError":
                found.append(f"{rel}:{node.lineno}: raise {name}")
    return found


def test_nothing_raises_a_builtin_error_outside_errors_py() -> None:
    assert _builtin_raises() == []


def test_the_static_check_finds_a_builtin_raise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The check above must be able to fail: point it at a package with one bad raise.
    (tmp_path / "errors.py").write_text("raise ValueError('allowed here')\n")
    (tmp_path / "bad.py").write_text(
        "import asyncio\n"
        "def f():\n    raise ValueError('x')\n"
        "def g():\n    raise asyncio.TimeoutError\n"
        "def __getattr__(name):\n    raise AttributeError(name)\n"
        "def h():\n    raise AttributeError('not protocol here')\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path)
    assert _builtin_raises() == [
        "bad.py:3: raise ValueError",
        "bad.py:5: raise TimeoutError",
        "bad.py:9: raise AttributeError",
    ]


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (InvalidInputError, ValueError),
        (InvalidTypeError, TypeError),
        (InvalidTypeError, ValueError),
        (ConfigurationError, ValueError),
        (MissingExtraError, ImportError),
        (StateError, RuntimeError),
        (WaitTimeoutError, TimeoutError),
    ],
)
def test_each_error_is_a_tavus_error_and_its_builtin(
    cls: type[Exception], builtin: type[Exception]
) -> None:
    assert issubclass(cls, TavusError)
    assert issubclass(cls, builtin)


@pytest.mark.anyio
async def test_a_field_typo_is_an_invalid_input_error_that_suggests_the_field(
    tavus_client: AsyncTavus, tavus_simulator: TavusSimulator
) -> None:
    with pytest.raises(InvalidInputError, match="persona_name") as info:
        await tavus_client.personas.create(persona_nmae="x")  # type: ignore[call-arg,unused-ignore]
    assert isinstance(info.value, ValueError)
    assert "did you mean" in str(info.value)
    assert tavus_simulator.counts["personas.create"] == 0  # refused before any request


def test_a_missing_extra_names_the_pip_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from tavus_async.room.daily import import_daily

    monkeypatch.setitem(sys.modules, "daily", None)  # what an absent package looks like
    with pytest.raises(MissingExtraError, match=r"pip install 'tavus-async\[daily\]'") as info:
        import_daily()
    assert isinstance(info.value, ImportError)


@pytest.mark.anyio
@pytest.mark.parametrize("source", ["argument", "env"])
async def test_a_401_names_where_the_key_came_from_without_showing_it(
    tavus_simulator: TavusSimulator, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    wrong = "tk_wrong_key_0123456789"
    if source == "env":
        monkeypatch.setenv("TAVUS_API_KEY", wrong)
        client = AsyncTavus(base_url=tavus_simulator.base_url)
        said = "the TAVUS_API_KEY environment variable"
    else:
        monkeypatch.delenv("TAVUS_API_KEY", raising=False)
        client = AsyncTavus(api_key=wrong, base_url=tavus_simulator.base_url)
        said = "the api_key argument"
    async with client:
        with pytest.raises(AuthenticationError) as info:
            await client.personas.list()
    text = str(info.value)
    assert f"The API key came from {said}" in text
    assert "platform.tavus.io/api-keys" in text
    assert wrong not in text
    assert wrong[-6:] not in text


@pytest.mark.anyio
async def test_error_headers_are_case_insensitive(tavus_simulator: TavusSimulator) -> None:
    tavus_simulator.faults.add("GET /v2/replicas", status=429, retry_after=7, times=1)
    async with tavus_simulator.client(max_retries=0) as tavus:
        with pytest.raises(RateLimitError) as info:
            await tavus.replicas.list()
    err = info.value
    assert err.headers.get("retry-after") == "7"
    assert err.headers["RETRY-AFTER"] == "7"
    assert err.retry_after == 7.0
    # Errors cross process pools: the copy keeps the headers, still case-insensitive.
    copy = pickle.loads(pickle.dumps(err))
    assert copy.headers.get("retry-after") == "7"
    assert str(copy) == str(err)


def test_headers_given_as_a_dict_become_case_insensitive() -> None:
    err = RateLimitError(
        "x", status_code=429, body=None, server_message=None, headers={"Retry-After": "3"}
    )
    assert err.headers.get("retry-after") == "3"
    assert err.retry_after == 3.0


@pytest.mark.anyio
async def test_wait_for_timeout_names_what_was_awaited_and_for_how_long(
    tavus_client: AsyncTavus,
) -> None:
    conv = await tavus_client.conversations.create(persona_id="pdced222244b")
    async with tavus_client.conversations.connect(conv, end_conversation=True) as room:
        with pytest.raises(WaitTimeoutError) as info:
            await room.wait_for(Utterance, where=lambda u: u.speech == "never said", timeout=0.3)
    assert isinstance(info.value, TimeoutError)
    text = str(info.value)
    assert "no Utterance matching where= arrived within 0.3s" in text
    assert "raise timeout=" in text


@pytest.mark.anyio
async def test_a_closed_client_is_a_state_error(tavus_simulator: TavusSimulator) -> None:
    client = tavus_simulator.client()
    await client.aclose()
    with pytest.raises(StateError, match="closed; create a new one") as info:
        await client.replicas.list()
    assert isinstance(info.value, RuntimeError)
