"""Conflicts caught: a duty during leave, two duties that overlap, a person the directory
does not know, a profession that is not the person's; flagged at rota import with the
line, and answered when a coordinator sets a duty by chat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from cpts_bot.core.times import PARIS
from cpts_bot.features.rota.conflicts import ConflictKind, handover_conflicts, rota_conflicts
from cpts_bot.features.rota.duty_rota import Duty, Leave, OneOffShift, Rota
from tests.integration.test_shift_swaps_synapse import directory_csv
from tests.unit.dispatch_support import COORDINATOR
from tests.unit.test_import_cli import ROTA_HEADER, Cli, cli  # noqa: F401
from tests.unit.test_rota_feature import ask, env  # noqa: F401

ANNE, BRUNO, ZOE = "@anne:example.org", "@bruno:example.org", "@zoe:example.org"


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=PARIS).astimezone(UTC)


def shift(user: str, start: datetime, hours: int, profession: str = "60") -> OneOffShift:
    return OneOffShift(user, profession, frozenset(), start, start + timedelta(hours=hours))


def test_each_kind_of_conflict_is_found_once() -> None:
    rota = Rota(
        shifts=(
            shift(ANNE, at(24, 20), 12),  # during her leave
            shift(BRUNO, at(25, 8), 12),
            shift(BRUNO, at(25, 12), 2),  # overlaps the one before
            shift(ZOE, at(26, 8), 12),  # not in the directory
            shift(BRUNO, at(27, 8), 12, profession="70"),  # a nurse on a physios' duty
        ),
        leaves=(Leave(ANNE, at(24, 0), at(27, 0)),),
    )
    directory = {ANNE: "60", BRUNO: "60"}
    found = rota_conflicts(rota, at(20, 0), at(31, 0), directory)
    assert [(c.kind, c.duty.user_id, c.duty.start) for c in found] == [
        (ConflictKind.ON_LEAVE, ANNE, at(24, 20)),
        (ConflictKind.OVERLAP, BRUNO, at(25, 8)),
        (ConflictKind.UNKNOWN_PERSON, ZOE, at(26, 8)),
        (ConflictKind.WRONG_PROFESSION, BRUNO, at(27, 8)),
    ]
    assert found[3].profession == "60"
    assert rota_conflicts(Rota(shifts=rota.shifts[1:2]), at(20, 0), at(31, 0), directory) == []


def test_the_import_flags_each_conflict_with_its_line(cli: Cli) -> None:  # noqa: F811
    people = [SimpleNamespace(user_id=ANNE), SimpleNamespace(user_id=BRUNO)]
    nurses = directory_csv([*people, SimpleNamespace(user_id="@chloe:example.org")])
    assert cli("import", "directory", cli.file("directory.csv", nurses)) == 0
    day = datetime.now(PARIS).date() + timedelta(days=10)
    d = [f"{day + timedelta(days=n):%d/%m/%Y}" for n in range(4)]
    rota = cli.file(
        "rota.csv",
        ROTA_HEADER
        + f"garde;{ANNE};;IDE;Lyon 8;{d[0]};20:00;08:00;;\n"  # line 2
        + f"conge;{ANNE};;;;;;;{d[0]};{d[1]}\n"  # line 3
        + f"garde;{BRUNO};;IDE;Lyon 8;{d[1]};08:00;20:00;;\n"  # line 4
        + f"garde;{BRUNO};;IDE;Lyon 8;{d[1]};12:00;14:00;;\n"  # line 5
        + f"garde;{ZOE};;IDE;Lyon 8;{d[2]};08:00;20:00;;\n"  # line 6
        + f"garde;{BRUNO};;kiné;Lyon 8;{d[3]};08:00;20:00;;\n",  # line 7
    )
    assert cli("import-rota", rota, "--check") == 0
    checked = [line for line in cli.out.splitlines() if line.startswith("warning: ")]
    assert cli("import-rota", rota) == 0
    warnings = [line for line in cli.out.splitlines() if line.startswith("warning: ")]
    assert warnings == checked and len(warnings) == 4, cli.out
    assert warnings[0].startswith(f"warning: line 2: {ANNE}: duty ")
    assert warnings[0].endswith("falls during their leave (line 3)")
    assert warnings[1].startswith(f"warning: line 4: {BRUNO}: duty ")
    assert warnings[1].endswith("12:00 (line 5)")
    assert warnings[2].startswith(f"warning: line 6: {ZOE}: duty ")
    assert warnings[2].endswith("no card in the directory has this Matrix ID")
    assert warnings[3].startswith(f"warning: line 7: {BRUNO}: duty ")
    assert warnings[3].endswith("as physiotherapist, but the directory says nurse")


async def test_a_duty_set_by_chat_during_leave_is_answered_with_a_warning(env) -> None:  # noqa: F811
    assert (await ask(env, COORDINATOR, "congé @alice:cpts.test du 24/12 au 26/12")).startswith(
        "Congé enregistré pour Alice"
    )
    answer = await ask(env, COORDINATOR, "garde @alice:cpts.test IDE Hyères 24/12 20h-8h")
    assert answer.splitlines() == [
        "Garde enregistrée : Alice, IDE, Hyères, du jeu. 24 déc. 20:00 au ven. 25 déc. 08:00",
        "Attention : Alice : garde jeu. 24 déc. 20 h – 8 h (IDE, Hyères) pendant son congé.",
    ]
    answer = await ask(env, COORDINATOR, "garde @carl:cpts.test IDE Hyères 27/12 8h-20h")
    assert answer.splitlines()[1] == (
        "Attention : @carl:cpts.test : garde dim. 27 déc. 8 h – 20 h (IDE, Hyères), inconnu de "
        "l'annuaire."
    )


def test_a_handover_is_checked_for_the_one_who_takes_it() -> None:
    """A swap or an override: the duty as its new holder would do it. Unlike two lines of
    one rota, a duty of the same profession at the same time elsewhere is a second duty."""
    night = Duty(ANNE, "60", frozenset({"83069"}), at(24, 20), at(25, 8))
    elsewhere = OneOffShift(BRUNO, "60", frozenset({"83137"}), at(24, 20), at(25, 8))
    rota = Rota(shifts=(shift(ANNE, at(24, 20), 12), elsewhere))
    nurses = {ANNE: "60", BRUNO: "60", ZOE: "60"}
    [clash] = handover_conflicts(night, BRUNO, rota, nurses)
    assert (clash.kind, clash.duty.user_id, clash.other) == (
        ConflictKind.OVERLAP,
        BRUNO,
        Duty(BRUNO, "60", frozenset({"83137"}), at(24, 20), at(25, 8)),
    )
    assert handover_conflicts(night, ZOE, rota, nurses) == []
    on_leave = Rota(shifts=rota.shifts, leaves=(Leave(ZOE, at(25, 0), at(26, 0)),))
    assert [c.kind for c in handover_conflicts(night, ZOE, on_leave, nurses)] == [
        ConflictKind.ON_LEAVE
    ]
    assert [c.kind for c in handover_conflicts(night, ZOE, rota, {ANNE: "60"})] == [
        ConflictKind.UNKNOWN_PERSON
    ]
    [other] = handover_conflicts(night, ZOE, rota, {ZOE: "70"})
    assert (other.kind, other.profession) == (ConflictKind.WRONG_PROFESSION, "70")
