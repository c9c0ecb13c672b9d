"""The dispatch request a person is writing in a guided exchange (what is missing is
asked for one piece at a time), and a dispatch read for « statut 42 »."""

from __future__ import annotations

from cpts_bot.features.dispatch import repository as repo
from cpts_bot.features.dispatch.models import Dispatch
from cpts_bot.features.dispatch.phrases import RequestFields
from cpts_bot.features.dispatch.repository import Draft
from cpts_bot.services.context import Context

__all__ = ["Draft", "dispatch", "draft_of", "drop_draft", "keep_draft"]


async def draft_of(context: Context, user_id: str) -> Draft | None:
    return await repo.get_draft(context.db, user_id)


async def keep_draft(
    context: Context, user_id: str, room_id: str, fields: RequestFields, awaiting: str
) -> None:
    """Keep what ``user_id`` wrote so far, waiting for ``awaiting``."""
    await repo.save_draft(context.db, user_id, room_id, fields.to_json(), awaiting, context.now)


async def drop_draft(context: Context, user_id: str) -> bool:
    """Forget ``user_id``'s draft; False if there was none."""
    if await repo.get_draft(context.db, user_id) is None:
        return False
    await repo.delete_draft(context.db, user_id)
    return True


async def dispatch(context: Context, dispatch_id: int) -> Dispatch | None:
    return await repo.get(context.db, dispatch_id)
