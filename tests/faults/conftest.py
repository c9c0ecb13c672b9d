"""The fault-injection suite runs on the integration suite's harness: a real Synapse for
the session, fresh users per test, the bot as a real process."""

from tests.integration.conftest import make_bot, synapse, users  # noqa: F401
