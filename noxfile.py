"""Developer tasks: `nox -s tests`, `lint`, `typecheck`, `demo`, `bench`, `fuzz`, `soak`, `docs`.

Every session installs what it needs into its own virtualenv, so a fresh machine with only
Python 3.10+ and nox can run any of them.
"""

from __future__ import annotations

import os

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = False

DEV = ".[dev,daily]"
SITE = "docs/_build/html"


@nox.session
def tests(session: nox.Session) -> None:
    """Run the whole test suite (slow tests included, fuzz and soak profiles excluded)."""
    session.install("-e", DEV)
    args = session.posargs or ["-n", "auto", "--dist", "loadfile"]
    session.run("pytest", *args)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the project."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package, and over the tests, examples, benchmarks and tools."""
    session.install("-e", DEV)
    session.run("mypy", "--strict", "tavus_async")
    session.run(
        "mypy",
        "--strict",
        "--explicit-package-bases",
        "tests",
        "examples",
        "benchmarks",
        "tools",
        "noxfile.py",
    )


@nox.session
def demo(session: nox.Session) -> None:
    """Walk through the whole SDK against the embedded simulator."""
    session.install("-e", ".")
    session.run("python", "-m", "tavus_async", "demo", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Run every benchmark and write benchmarks/results/*.json."""
    session.install("-e", DEV)
    os.makedirs("benchmarks/results", exist_ok=True)
    for script in sorted(os.listdir("benchmarks")):
        if script.startswith("bench_") and script.endswith(".py"):
            name = script[len("bench_") : -len(".py")]
            session.run(
                "python",
                f"benchmarks/{script}",
                "--json",
                f"benchmarks/results/{name}.json",
                *session.posargs,
            )


@nox.session
def fuzz(session: nox.Session) -> None:
    """Property-based tests with the long hypothesis profile (10,000 cases each)."""
    session.install("-e", DEV)
    session.run(
        "pytest",
        "-m",
        "not slow",
        "-k",
        "property or fuzz or hypothesis",
        *session.posargs,
        env={"HYPOTHESIS_PROFILE": "fuzz"},
    )


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site into docs/_build/html (warnings are errors) and check it.

    Also regenerates docs/api.md, then runs the reference coverage checks, every guide's code
    against the simulator, and the built site in headless Chromium (skipped without one).
    Serve it with ``python -m http.server -d docs/_build/html``.
    """
    session.install("-e", ".[dev,docs]")
    session.run("python", "tools/gen_api_docs.py")
    session.run("python", "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q", "docs", SITE)
    session.run(
        "pytest",
        "tests/test_docs_api.py",
        "tests/test_docs_guides.py",
        "tests/test_docs_site.py",
        *session.posargs,
        env={"TAVUS_DOCS_SITE": SITE},
    )


@nox.session
def soak(session: nox.Session) -> None:
    """100 simulator rooms for 10 minutes, sampling memory (see RELIABILITY.md)."""
    session.install("-e", DEV)
    os.makedirs("benchmarks/results", exist_ok=True)
    session.run(
        "python", "benchmarks/soak.py", "--json", "benchmarks/results/soak.json", *session.posargs
    )


#: Other people's Tavus clients, pinned to the versions the interop suite was written against.
INTEROP_CLIENTS = [
    "tavus-cli==0.11.0",
    "pipecat-ai==1.14.0",
    "livekit-plugins-tavus==1.8.9",
    "astrocyte-integration-tavus==0.22.0",
]


@nox.session
def interop(session: nox.Session) -> None:
    """Run Tavus's official CLI and the peers' Tavus clients, unchanged, against the simulator."""
    session.install("-e", ".[daily]", *INTEROP_CLIENTS)
    session.run("python", "tests/interop/harness.py", *session.posargs)
