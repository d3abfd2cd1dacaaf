"""Hypothesis settings for the interactions tests: small by default, `HYPOTHESIS_PROFILE=fuzz`
for 10 000 examples. Applied per test (as a decorator), so the global profile is untouched."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "interactions-default",
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    max_examples=10_000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

PROFILE = settings.get_profile(
    "fuzz" if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else "interactions-default"
)
"""The settings to decorate property tests with."""
