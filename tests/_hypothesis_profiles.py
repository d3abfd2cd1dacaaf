"""Hypothesis settings shared by every property test: small by default, long under fuzz.

Set ``HYPOTHESIS_PROFILE=fuzz`` (the ``nox -s fuzz`` session does) for 10 000 examples per
property test. Settings are applied per test (as a decorator), so hypothesis's global profile
is untouched. Decorate property tests with :func:`property_test` and name them
``test_property_*`` so that session's ``-k "property or fuzz or hypothesis"`` selects them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, settings

_Test = TypeVar("_Test", bound=Callable[..., object])

DEFAULT_EXAMPLES = 200
"""Examples per property test in an ordinary run."""

FUZZ_EXAMPLES = 10_000
"""Examples per property test under ``HYPOTHESIS_PROFILE=fuzz``."""

FUZZING = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
"""Whether this run uses the long fuzz profile."""

FUZZ_TIMEOUT = 1800.0
"""Per-test pytest-timeout under fuzz, in seconds: 50x the examples outgrow the usual 120 s."""

settings.register_profile(
    "interactions-default",
    max_examples=DEFAULT_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

PROFILE = settings.get_profile("fuzz" if FUZZING else "interactions-default")
"""The settings to decorate property tests with (``DEFAULT_EXAMPLES`` or ``FUZZ_EXAMPLES``)."""


def profile(examples: int = DEFAULT_EXAMPLES, *, fuzz_examples: int = FUZZ_EXAMPLES) -> settings:
    """Settings for one property test, sized by the active profile.

    Args:
        examples: Examples in an ordinary run. A test that earns a bigger budget than
            ``DEFAULT_EXAMPLES`` (cheap, wide input space) says so here.
        fuzz_examples: Examples under the fuzz profile. Only a test that runs one
            hypothesis search per item of a long list (so the fuzz total multiplies) should
            lower it, and say why.

    Returns:
        ``PROFILE`` with ``max_examples`` set for the active profile.
    """
    if examples < 1 or fuzz_examples < 1:
        raise ValueError(
            f"example counts must be at least 1, got examples={examples}, "
            f"fuzz_examples={fuzz_examples}"
        )
    return settings(PROFILE, max_examples=fuzz_examples if FUZZING else examples)


def fuzz_timeout(test: _Test) -> _Test:
    """Give ``test`` :data:`FUZZ_TIMEOUT` under the fuzz profile; leave it alone otherwise."""
    return pytest.mark.timeout(FUZZ_TIMEOUT)(test) if FUZZING else test


def property_test(
    examples: int = DEFAULT_EXAMPLES, *, fuzz_examples: int = FUZZ_EXAMPLES
) -> Callable[[_Test], _Test]:
    """Decorate a ``@given`` test: :func:`profile` settings plus :func:`fuzz_timeout`.

    Args:
        examples: Examples in an ordinary run (see :func:`profile`).
        fuzz_examples: Examples under the fuzz profile (see :func:`profile`).

    Returns:
        A decorator that returns the test it is given, sized and time-limited.
    """
    sized = profile(examples, fuzz_examples=fuzz_examples)

    def decorate(test: _Test) -> _Test:
        return fuzz_timeout(sized(test))

    return decorate
