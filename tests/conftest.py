"""Shared fixtures: the one real Synapse of a test session (started only when a test asks
for it), used by tests/integration and tests/faults alike; their other fixtures live in
tests/integration/conftest.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cpts_bot.devtools.synapse import SynapseServer, synapse_python

REPO = Path(__file__).resolve().parents[1]


def _state_dir() -> Path:
    return Path(os.environ.get("CPTS_STATE_DIR", REPO / ".cpts"))


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynapseServer]:
    """One homeserver per test session, its data in a temporary directory."""
    python = (
        Path(os.environ["CPTS_SYNAPSE_PYTHON"])
        if os.environ.get("CPTS_SYNAPSE_PYTHON")
        else synapse_python(_state_dir())
    )
    server = SynapseServer.configure(python, tmp_path_factory.mktemp("synapse"))
    server.start()
    yield server
    server.stop()
