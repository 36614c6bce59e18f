"""Shared test settings: a fixed hypothesis profile so property tests are deterministic."""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "pidkit", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("pidkit")
