"""Shared test settings: a fixed hypothesis profile so property tests are deterministic."""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "pidkit", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("pidkit")

# Scripts that mypy reads (tests/test_typing.py, tests/distill/test_typing_distill.py): their
# reveal_type calls exist only for a type checker, so --doctest-modules must not import them.
collect_ignore = ["typing_user_calls.py", "typing_distill_calls.py"]
