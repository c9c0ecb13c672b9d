"""The waiting list for the coordination, in counts: « liste d'attente », « patients
prioritaires en attente depuis plus de 30 jours ». Request numbers, communes, age bands
and criteria only: nothing that names a patient, so it may be read in a shared room."""

from __future__ import annotations

from cpts_bot.features.medecin_traitant import repository as repo
from cpts_bot.features.medecin_traitant.context_service import describe
from cpts_bot.features.medecin_traitant.figures import (
    NO_PRIORITY,
    waiting_longer_than,
    waiting_summary,
)
from cpts_bot.features.medecin_traitant.labels import (
    NO_PRIORITY_LABEL,
    PRIORITY_LABELS,
    WAIT_LABELS,
)
from cpts_bot.features.medecin_traitant.models import PatientRequest, Priority
from cpts_bot.features.medecin_traitant.phrases import WaitingList
from cpts_bot.i18n import Translator
from cpts_bot.services.context import Context

LIST_LIMIT = 20


def items(pairs: list[tuple[str, int]]) -> str:
    return ", ".join(f"{label} {count}" for label, count in pairs)


def _priority_label(key: str, translator: Translator) -> str:
    if key == NO_PRIORITY:
        return translator.gettext(NO_PRIORITY_LABEL)
    return translator.gettext(PRIORITY_LABELS[Priority(key)])


async def waiting_list_text(deps: Context, command: WaitingList, translator: Translator) -> str:
    requests = await repo.waiting_requests(deps.db)
    if command.priority_only or command.older_than_days is not None:
        return _filtered(deps, requests, command, translator)
    _ = translator.gettext
    summary = waiting_summary(requests, deps.now)
    if not summary.total:
        return _("Nobody is waiting for a médecin traitant.")
    lines = [
        translator.ngettext(
            "{count} patient waiting for a médecin traitant {priority}.",
            "{count} patients waiting for a médecin traitant {priority}.",
            summary.total,
            # « (dont 1 prioritaire) »: the priority count takes its own plural form.
            priority=translator.ngettext(
                "({count} priority)", "({count} priority)", summary.priority_total
            ),
        ),
        _(
            "By commune: {items}",
            items=items([(deps.places.name(c), n) for c, n in summary.by_commune]),
        ),
        _(
            "By priority: {items}",
            items=items([(_priority_label(k, translator), n) for k, n in summary.by_priority]),
        ),
        _(
            "Waiting: {items}",
            items=items([(_(WAIT_LABELS[k]), n) for k, n in summary.by_wait]),
        ),
    ]
    if summary.longest_days is not None:
        longest = int(summary.longest_days)
        lines.append(
            translator.ngettext("Longest wait: {count} day", "Longest wait: {count} days", longest)
        )
    return "\n".join(lines)


def _filtered(
    deps: Context, requests: list[PatientRequest], command: WaitingList, translator: Translator
) -> str:
    _ = translator.gettext
    days = command.older_than_days or 0
    found = waiting_longer_than(requests, deps.now, days, priority_only=command.priority_only)
    if command.priority_only:
        head = translator.ngettext(
            "{count} priority patient waiting for more than {days}.",
            "{count} priority patients waiting for more than {days}.",
            len(found),
            days=translator.ngettext("{count} day", "{count} days", days),
        )
    else:
        head = translator.ngettext(
            "{count} patient waiting for more than {days}.",
            "{count} patients waiting for more than {days}.",
            len(found),
            days=translator.ngettext("{count} day", "{count} days", days),
        )
    lines = [head]
    for request in found[:LIST_LIMIT]:
        lines.append(
            "• "
            + translator.ngettext(
                "no. {id}: {description} — {count} day",
                "no. {id}: {description} — {count} days",
                int(request.waited_days(deps.now)),
                id=request.id,
                description=describe(request, deps, translator),
            )
        )
    if len(found) > LIST_LIMIT:
        lines.append(_("… and {count} more.", count=len(found) - LIST_LIMIT))
    return "\n".join(lines)
