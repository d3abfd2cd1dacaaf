"""Hypothesis settings shared by every property test: small by default, long under fuzz.

Set ``HYPOTHESIS_PROFILE=fuzz`` (the ``nox -s fuzz`` session does) for 10 000 examples per
property test. Settings are applied per test (as a decorator), so hypothesis's global profile
is untouched. Name property tests ``test_property_*`` so that session's
``-k "property or fuzz or hypothesis"`` selects them.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

DEFAULT_EXAMPLES = 200
"""Examples per property test in an ordinary run."""

FUZZ_EXAMPLES = 10_000
"""Examples per property test under ``HYPOTHESIS_PROFILE=fuzz``."""

FUZZING = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
"""Whether this run uses the long fuzz profile."""

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
