"""The fault-injection tests use the integration tests' fixtures (real Synapse, bot process)."""

from tests.integration.conftest import make_bot, synapse, users  # noqa: F401
