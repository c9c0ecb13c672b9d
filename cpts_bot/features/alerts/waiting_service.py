"""Alerts no longer in force that still wait for acknowledgements (« alertes » lists
them after the alerts in force)."""

from __future__ import annotations

from datetime import datetime

from cpts_bot.features.alerts import waiting_repository as repo
from cpts_bot.features.alerts.models import Alert
from cpts_bot.services.context import Context


async def awaiting_acknowledgement(
    context: Context, since: datetime
) -> list[tuple[Alert, int, int | None]]:
    """Important and urgent alerts posted after ``since``, finished, not acknowledged by
    all: each with how many did and how many were asked."""
    return await repo.awaiting_acknowledgement(context.db, since)
