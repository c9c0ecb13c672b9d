"""A real matrix-nio client with its own crypto store on disk, logged in without a
homeserver (its requests go nowhere): for tests of what nio keeps (sessions, trust)."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from nio import AsyncClient, AsyncClientConfig

Client = TypeVar("Client", bound=AsyncClient)


def stored_client(
    store: Path, user_id: str, kind: type[Client], device_id: str = "BOTDEV"
) -> Client:
    """A ``kind`` client whose store (Olm account, sessions, trust files) is ``store``."""
    client = kind(
        "http://127.0.0.1:9",
        user_id,
        device_id=device_id,
        store_path=str(store),
        config=AsyncClientConfig(encryption_enabled=True),
    )
    client.restore_login(user_id, device_id, "token")  # loads the store
    return client
