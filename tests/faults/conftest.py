"""The fault-injection tests use the integration tests' fixtures (the session's one Synapse
comes from tests/conftest.py)."""

from tests.integration.conftest import make_bot, users  # noqa: F401
