"""What the bot asks of each sync: the filters, uploaded once per run."""

from __future__ import annotations

import logging
from typing import Any

from nio import AsyncClient, UploadFilterResponse

log = logging.getLogger(__name__)

# Members are not lazy-loaded: measured here, lazy loading made every reply about 20 ms
# slower (docs/benchmarks.md), and a CPTS's rooms are small enough for full member lists.
SYNC_FILTER = {
    "room": {
        "timeline": {"limit": 100},
        "ephemeral": {"not_types": ["m.receipt", "m.typing"]},
    },
    "presence": {"not_types": ["*"]},
}

# Rooms and their state only, for the start-up sync that tells nio which rooms exist.
ROOMS_ONLY_FILTER = {
    "room": {
        "timeline": {"limit": 1},
        "ephemeral": {"not_types": ["*"]},
        "account_data": {"not_types": ["*"]},
    },
    "presence": {"not_types": ["*"]},
    "account_data": {"not_types": ["*"]},
}


async def uploaded_filter(client: AsyncClient) -> str | dict[str, Any]:
    """The sync filter's ID on the homeserver, uploaded once per run (each long poll
    then names it instead of sending it for the homeserver to parse and check, as
    Element does); the filter itself when the upload fails."""
    try:
        response = await client.upload_filter(
            room=SYNC_FILTER["room"], presence=SYNC_FILTER["presence"]
        )
    except Exception as error:  # the homeserver may be down: the loop retries syncs
        response = error
    if isinstance(response, UploadFilterResponse):
        return response.filter_id
    log.info("sync filter sent inline", extra={"error": str(response)})
    return SYNC_FILTER
