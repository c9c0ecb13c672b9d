"""The deliveries part of ``cpts-bot status``: a row set aside past its bound makes the
bot unhealthy at once (``cpts-bot outbox list`` shows it, ``cpts-bot outbox drop ID``
removes it); the coordination's « slowed down » notice, while in force, is shown."""

from __future__ import annotations

from pathlib import Path

from cpts_bot.storage.delivery_status import read_delivery_status


def delivery_report(database: Path) -> tuple[list[str], list[str]]:
    """(lines, problems) for the status of the database at ``database``."""
    status = read_delivery_status(database)
    if status.error is not None:
        return [], []
    # Destinations failing now are listed with the homeserver's refusals (status_details).
    lines = []
    if status.slowed_reported_at:
        lines.append(f"slowed down:   by the homeserver since {status.slowed_reported_at}")
    problems = [
        f"delivery stuck: outbox row {row_id} to {target} (cpts-bot outbox list / drop {row_id})"
        for row_id, target in status.stuck
    ]
    return lines, problems
