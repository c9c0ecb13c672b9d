"""Fault-injection scenarios run against the real Synapse, with the integration fixtures
(the homeserver, fresh users, the bot as a real process)."""

from tests.integration.conftest import make_bot, synapse, users  # noqa: F401
