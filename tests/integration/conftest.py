"""Fixtures of the integration tests: a real Synapse for the whole session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.integration.synapse_fallback import Homeserver, start_synapse


@pytest.fixture(scope="session")
def cs_homeserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Homeserver]:
    python = os.environ.get("CPTS_SYNAPSE_PYTHON")
    if not python:
        pytest.skip("CPTS_SYNAPSE_PYTHON is not set (Python with matrix-synapse installed)")
    yield from start_synapse(python, tmp_path_factory.mktemp("synapse"))
