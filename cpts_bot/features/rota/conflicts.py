"""What is wrong in a rota: a duty during its professional's leave, two duties of one
person that overlap, a duty for someone the directory does not know, a duty of a
profession that is not the person's. Pure: the rota, a window and what the directory
says of each person in; the problems out, in time order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from cpts_bot.features.rota.duty_rota import Duty, Rota, duties_between, on_leave_during


class ConflictKind(StrEnum):
    ON_LEAVE = "on_leave"
    OVERLAP = "overlap"
    UNKNOWN_PERSON = "unknown_person"
    WRONG_PROFESSION = "wrong_profession"


@dataclass(frozen=True)
class Conflict:
    kind: ConflictKind
    duty: Duty
    other: Duty | None = None  # the duty it overlaps
    profession: str | None = None  # the person's profession in the directory


# What the directory says of a person: their profession code, or None when it has no
# card for them.
Directory = Mapping[str, str | None]


def conflicts_of(
    duty: Duty, rota: Rota, directory: Directory, others: list[Duty], *, taken: bool = False
) -> list[Conflict]:
    """The problems of one ``duty`` (``others``: every duty around it). A duty of the
    same profession starting at the same time is the same duty listed twice, unless
    ``duty`` is being ``taken`` by its person (a swap, an override): then it is a
    second duty at once."""
    found = []
    if on_leave_during(rota.leaves, duty.user_id, duty.start, duty.end):
        found.append(Conflict(ConflictKind.ON_LEAVE, duty))
    for other in others:
        if (
            other is not duty
            and other.user_id == duty.user_id
            and other.start < duty.end
            and duty.start < other.end
            and (taken or (other.start, other.profession) != (duty.start, duty.profession))
        ):
            found.append(Conflict(ConflictKind.OVERLAP, duty, other=other))
            break
    if duty.user_id not in directory:
        found.append(Conflict(ConflictKind.UNKNOWN_PERSON, duty))
    else:
        profession = directory[duty.user_id]
        if profession is not None and profession != duty.profession:
            found.append(Conflict(ConflictKind.WRONG_PROFESSION, duty, profession=profession))
    return found


HANDOVER_MARGIN = timedelta(days=1)  # the duties around a handed-over one that may clash


def handover_conflicts(
    duty: Duty, to_user: str, rota: Rota, directory: Directory
) -> list[Conflict]:
    """What would be wrong if ``to_user`` did ``duty`` (a request for cover taken, a
    coordinator's override, a duty with nobody filled): their leave then, a duty of
    theirs at the same time, not known to the directory, another profession there.
    ``rota`` must hold the day around ``duty``."""
    mine = replace(duty, user_id=to_user, name="")
    around = duties_between(rota, duty.start - HANDOVER_MARGIN, duty.end + HANDOVER_MARGIN)
    return conflicts_of(mine, rota, directory, around, taken=True)


def rota_conflicts(
    rota: Rota, start: datetime, end: datetime, directory: Directory
) -> list[Conflict]:
    """Every problem of the duties starting in [start, end); an overlap is told once."""
    duties = duties_between(rota, start, end)
    found: list[Conflict] = []
    for duty in duties:
        if not start <= duty.start < end:
            continue
        for conflict in conflicts_of(duty, rota, directory, duties):
            if conflict.kind is ConflictKind.OVERLAP and conflict.other is not None:
                if conflict.other.start < duty.start or (
                    conflict.other.start == duty.start
                    and conflict.other.profession < duty.profession
                ):
                    continue  # told at the earlier duty
            found.append(conflict)
    return found


def first_of_each(conflicts: list[Conflict]) -> list[Conflict]:
    """One conflict per person and kind (a weekly slot repeats the same problem)."""
    seen: set[tuple[str, ConflictKind, str]] = set()
    kept = []
    for conflict in conflicts:
        key = (conflict.duty.user_id, conflict.kind, conflict.duty.profession)
        if conflict.kind is ConflictKind.ON_LEAVE or key not in seen:
            seen.add(key)
            kept.append(conflict)
    return kept
