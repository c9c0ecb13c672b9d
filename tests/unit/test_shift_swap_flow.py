"""Swaps and cover by chat, end to end over a real SQLite and the declared routes: who is
asked, the first accept takes the duty (the rota changes), both are told, the others'
offers are edited, the coordination sees it; errors, cancellation, expiry, and the
coordinator's override."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from cpts_bot.chat.command_dispatch import Routes, route_message, route_reaction
from cpts_bot.core.french_datetime import local_to_utc
from cpts_bot.core.times import PARIS
from cpts_bot.features.cover import repository as repo
from cpts_bot.features.cover.chat import ShiftSwapFeature
from cpts_bot.features.cover.policy import SwapPolicy
from cpts_bot.features.dispatch.broadcast_service import select_recipients
from cpts_bot.features.rota import repository as rota_repository
from cpts_bot.features.rota.duty_rota import Leave, OneOffShift, on_duty_at
from cpts_bot.i18n import Translator
from cpts_bot.services.context import Context
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter
from tests.unit.dispatch_support import (
    COORDINATOR,
    HYERES,
    FakeDirectory,
    FakeHomeserver,
    Sent,
    context_for,
    make_config,
    message,
    professional,
    reaction,
)

NOW = datetime(2026, 12, 1, 11, 0, tzinfo=PARIS).astimezone(UTC)
COORDINATION = "!coordination:cpts.test"
CONFIG = make_config(rooms={"coordination": COORDINATION})
ANNE, BRUNO, CHLOE, DENIS, EMMA, KARL = (
    f"@{n}:cpts.test" for n in ("anne", "bruno", "chloe", "denis", "emma", "karl")
)
FEATURE = ShiftSwapFeature(
    FakeDirectory(
        [professional(user, "60", HYERES) for user in (ANNE, BRUNO, CHLOE, DENIS, EMMA)]
        + [professional(KARL, "70", HYERES)]
    )
)
ROUTES = Routes.of(FEATURE)


def at(day: int, hour: int) -> datetime:
    return local_to_utc(date(2026, 12, day), time(hour))


class Desk:
    """The database, the fake homeserver, and a way to talk to the bot."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.server = FakeHomeserver(database)

    async def shift(self, user: str, start: datetime, end: datetime) -> None:
        async with self.database.transaction() as db:
            shift = OneOffShift(user, "60", frozenset({HYERES}), start, end)
            await rota_repository.add_shift(db, shift, rota_repository.SOURCE_CSV, "csv", NOW)

    async def say(
        self,
        sender: str,
        text: str,
        *,
        now: datetime = NOW,
        reply_to: Sent | None = None,
        config=CONFIG,
    ) -> list[Sent]:
        room = reply_to.room_id if reply_to else f"!dm-{sender}"
        event_id = reply_to.event_id if reply_to else None
        msg = message(sender, text, now, room=room, reply_to=event_id, is_direct=True)
        async with self.database.transaction() as db:
            assert await route_message(ROUTES, msg, context_for(db, config, now, msg))
        return await self.server.flush(now)

    async def react(self, sender: str, key: str, to: Sent) -> list[Sent]:
        event = reaction(sender, key, to.event_id, NOW, room=to.room_id)
        async with self.database.transaction() as db:
            assert await route_reaction(ROUTES, event, context_for(db, CONFIG, NOW, event))
        return await self.server.flush(NOW)

    async def on_duty(self, moment: datetime) -> list[str]:
        async with self.database.transaction() as db:
            rota = await rota_repository.load_rota(db, moment - timedelta(days=2), moment)
        return [duty.user_id for duty in on_duty_at(rota, moment)]


def offers(sent: list[Sent]) -> dict[str, Sent]:
    return {s.target: s for s in sent if (s.correlation or "").startswith("swap:")}


def texts(sent: list[Sent], target: str) -> list[str]:
    """The messages (not the edits) sent to ``target`` (a user or a room)."""
    return [s.text for s in sent if s.target == target and s.action != "edit"]


@pytest.fixture
async def desk(tmp_path: Path):
    database = await Database.open(tmp_path / "bot.sqlite")
    desk = Desk(database)
    await desk.shift(ANNE, at(24, 20), at(25, 8))
    await desk.shift(EMMA, at(24, 18), at(24, 22))  # busy during part of Anne's night
    async with database.transaction() as db:
        leave = Leave(DENIS, at(24, 0), at(26, 0))
        await rota_repository.add_leave(db, leave, rota_repository.SOURCE_CHAT, DENIS, NOW)
    yield desk
    await database.close()


async def test_the_first_accept_takes_the_duty_and_everyone_is_told(desk: Desk) -> None:
    sent = await desk.say(ANNE, "Je cherche un remplaçant pour ma garde du 24/12")
    assert texts(sent, f"!dm-{ANNE}") == [
        "Demande de remplacement n°1 envoyée à 2 collègues libres : IDE, Hyères, "
        "jeu. 24 déc. 20:00–08:00.\n"
        "Je vous dirai qui la prend. « annuler remplacement 1 » pour l'annuler."
    ]
    # Free: not the requester, not Denis (on leave), not Emma (on duty then), not Karl
    # (another profession).
    asked = offers(sent)
    assert set(asked) == {BRUNO, CHLOE}
    async with desk.database.transaction() as db:
        swap = await repo.get(db, 1)
    assert swap is not None and swap.expires_at == at(24, 20)  # by default: the duty's start
    assert asked[BRUNO].text.startswith(
        "Remplacement n°1 — Anne cherche quelqu'un pour sa garde : IDE, Hyères, "
        "jeu. 24 déc. 20:00–08:00."
    )
    assert asked[BRUNO].payload["notice"] is False and asked[BRUNO].payload["mentions"] == [BRUNO]

    sent = await desk.say(CHLOE, "je prends", reply_to=asked[CHLOE])
    assert texts(sent, asked[CHLOE].room_id) == [
        "La garde est à vous : IDE, Hyères, jeu. 24 déc. 20:00–08:00 (remplacement n°1). "
        "Le planning est à jour. Merci !"
    ]
    assert texts(sent, ANNE) == [
        "Chloe (IDE) prend votre garde IDE, Hyères, jeu. 24 déc. 20:00–08:00 "
        "(remplacement n°1). Le planning est à jour."
    ]
    assert texts(sent, COORDINATION) == [
        "Remplacement n°1 : Chloe remplace Anne — IDE, Hyères, jeu. 24 déc. 20:00–08:00. "
        "Le planning est à jour."
    ]
    edits = {s.payload["replaces"]: s.text for s in sent if s.action == "edit"}
    assert edits[asked[BRUNO].event_id].startswith("[Garde prise par Chloe]\nRemplacement n°1")
    assert edits[asked[CHLOE].event_id].startswith("[Vous avez pris cette garde]\n")
    # Once taken, nobody is still told how to take it.
    assert not any("je prends" in text for text in edits.values()), edits
    assert len(sent) == 5  # one message per fact
    assert await desk.on_duty(at(24, 23)) == [CHLOE]
    # A dispatch for that night now goes to Chloé, not to Anne.
    async with desk.database.transaction() as db:
        deps = Context(db, NOW, OutboxWriter(db, NOW), CONFIG, FEATURE.directory)
        assert await select_recipients(deps, "60", [HYERES], at(24, 23)) == [CHLOE]

    # Bruno's 👍 comes too late: he is told, nothing else changes.
    sent = await desk.react(BRUNO, "👍", asked[BRUNO])
    assert [s.text for s in sent] == [
        "Cette garde a déjà été prise par Chloe (remplacement n°1). Merci !"
    ]
    assert sent[0].target == BRUNO
    assert await desk.on_duty(at(24, 23)) == [CHLOE]

    # The duty is no longer Anne's: she cannot ask again; the « mes gardes » of the rota
    # now list it under Chloé.
    sent = await desk.say(ANNE, "je cherche un remplaçant pour ma garde du 24/12")
    assert [s.text for s in sent] == ["Vous n'avez pas de garde le jeu. 24 déc. au planning."]


async def test_a_reaction_takes_it_and_a_plain_je_prends_too(desk: Desk) -> None:
    asked = offers(await desk.say(ANNE, "qui peut me remplacer le 24/12 à 20h ?"))
    sent = await desk.react(BRUNO, "👍🏽", asked[BRUNO])
    assert any("La garde est à vous" in s.text for s in sent if s.target == BRUNO)
    assert await desk.on_duty(at(24, 23)) == [BRUNO]
    # A second request (Bruno's own new duty): « je prends » without a reply works
    # when one offer waits.
    asked = offers(await desk.say(BRUNO, "I need cover for my shift on 24/12"))
    assert set(asked) == {ANNE, CHLOE}
    sent = await desk.say(ANNE, "je prends")
    assert any("La garde est à vous" in text for text in texts(sent, f"!dm-{ANNE}"))
    assert await desk.on_duty(at(24, 23)) == [ANNE]


@pytest.mark.parametrize(
    ("sender", "text", "answer"),
    [
        (
            ANNE,
            "je cherche un remplaçant",
            "Quelle garde ? Donnez sa date, par exemple « ma garde du 24/12 » ou « samedi nuit ».",
        ),
        (
            BRUNO,
            "qui peut me remplacer demain ?",
            "Vous n'avez pas de garde le mer. 2 déc. au planning.",
        ),
        (ANNE, "je cherche un remplaçant pour le 31/02", "Le 31 février n'existe pas."),
    ],
)
async def test_clear_errors(desk: Desk, sender: str, text: str, answer: str) -> None:
    sent = await desk.say(sender, text)
    assert [s.text for s in sent] == [answer]


async def test_answers_in_english_to_who_chose_english(desk: Desk) -> None:
    async with desk.database.transaction() as db:
        await db.execute(
            "INSERT INTO user_preferences (user_id, language, updated_at) VALUES (?, 'en', ?)",
            (BRUNO, "2026-12-01T10:00:00.000000Z"),
        )
    sent = await desk.say(BRUNO, "I need cover for my shift tomorrow night")
    assert [s.text for s in sent] == [
        "You have no duty from Wed 2 Dec 20:00 to Thu 3 Dec 08:00 in the rota."
    ]
    asked = offers(await desk.say(ANNE, "je cherche un remplaçant pour ma garde du 24/12"))
    assert asked[BRUNO].text.startswith(
        "Cover no. 1 — Anne is looking for someone to take their duty: nurse, Hyères, "
        "Thu 24 Dec 20:00–08:00."
    )
    # A leave declared since: his « I'll take it » is refused, in English.
    await _conflicting(desk, "on_leave")
    sent = await desk.say(BRUNO, "I'll take it", reply_to=asked[BRUNO])
    assert [s.text for s in sent] == [
        "You cannot take cover no. 1 (nurse, Hyères, Thu 24 Dec 20:00–08:00): you are on "
        "leave then. Nothing was changed; the request stays open to your colleagues."
    ]


async def test_several_duties_that_day_must_be_told_apart(desk: Desk) -> None:
    await desk.shift(ANNE, at(24, 8), at(24, 12))
    sent = await desk.say(ANNE, "je cherche un remplaçant pour ma garde du 24/12")
    assert [s.text for s in sent] == [
        "Plusieurs gardes le jeu. 24 déc. : IDE, Hyères, jeu. 24 déc. 08:00–12:00; IDE, Hyères, "
        "jeu. 24 déc. 20:00–08:00. Précisez laquelle avec son heure, par exemple "
        "« 24/12 08h00 »."
    ]
    sent = await desk.say(ANNE, "je cherche un remplaçant pour ma garde du 24/12 à 20h")
    assert texts(sent, f"!dm-{ANNE}")[0].startswith(
        "Demande de remplacement n°1 envoyée à 2 collègues libres : IDE, Hyères, "
        "jeu. 24 déc. 20:00–08:00."
    )


async def test_nobody_free_tells_the_requester_and_the_coordination(desk: Desk) -> None:
    await desk.shift(BRUNO, at(24, 19), at(24, 23))
    await desk.shift(CHLOE, at(25, 6), at(25, 9))
    sent = await desk.say(ANNE, "je cherche un remplaçant pour ma garde du 24/12")
    assert texts(sent, f"!dm-{ANNE}") == [
        "Aucun collègue de votre profession n'est libre pour IDE, Hyères, "
        "jeu. 24 déc. 20:00–08:00 : la coordination est prévenue."
    ]
    assert texts(sent, COORDINATION) == [
        "Anne cherche un remplaçant pour IDE, Hyères, jeu. 24 déc. 20:00–08:00, mais "
        "personne n'est libre à ce moment-là."
    ]


async def test_the_requester_cancels(desk: Desk) -> None:
    asked = offers(await desk.say(ANNE, "je cherche un remplaçant pour ma garde du 24/12"))
    sent = await desk.say(BRUNO, "annuler remplacement 1")
    assert [s.text for s in sent] == ["Seul le demandeur (ou la coordination) peut l'annuler."]
    sent = await desk.say(ANNE, "annuler ma demande de remplacement")
    assert texts(sent, f"!dm-{ANNE}") == [
        "Demande de remplacement n°1 annulée : la garde reste inchangée."
    ]
    edited = [s for s in sent if s.action == "edit"]
    assert {s.payload["replaces"] for s in edited} == {o.event_id for o in asked.values()}
    assert all(s.text.startswith("[Demande annulée]\n") for s in edited)
    sent = await desk.say(CHLOE, "je prends", reply_to=asked[CHLOE])
    assert [s.text for s in sent] == ["Le remplacement n°1 n'est plus ouvert (annulé)."]
    assert await desk.on_duty(at(24, 23)) == [ANNE]


async def test_nobody_accepting_in_time_tells_the_requester_and_the_coordination(
    desk: Desk,
) -> None:
    config = CONFIG.model_copy(update={"swaps": SwapPolicy(expire_after_minutes=120)})
    asked = offers(
        await desk.say(ANNE, "je cherche un remplaçant pour ma garde du 24/12", config=config)
    )
    async with desk.database.transaction() as db:
        swap = await repo.get(db, 1)
    assert swap is not None and swap.expires_at == NOW + timedelta(hours=2)
    later = NOW + timedelta(hours=2)
    async with desk.database.transaction() as db:
        await FEATURE.run_due(context_for(db, config, NOW + timedelta(hours=1), None))
    assert await desk.server.flush(later) == []  # not yet
    async with desk.database.transaction() as db:
        await FEATURE.run_due(context_for(db, config, later, None))
    sent = await desk.server.flush(later)
    assert texts(sent, ANNE) == [
        "Personne n'a pris votre garde IDE, Hyères, jeu. 24 déc. 20:00–08:00 (remplacement "
        "n°1) : elle reste à vous ; voyez avec la coordination."
    ]
    assert texts(sent, COORDINATION) == [
        "Remplacement n°1 : personne n'a remplacé Anne (IDE, Hyères, "
        "jeu. 24 déc. 20:00–08:00) ; la garde lui reste."
    ]
    assert {s.payload["replaces"] for s in sent if s.action == "edit"} == {
        o.event_id for o in asked.values()
    }
    async with desk.database.transaction() as db:
        await FEATURE.run_due(context_for(db, config, later + timedelta(hours=1), None))
    assert await desk.server.flush(later) == []  # told once


async def test_everyone_declining_ends_it_at_once(desk: Desk) -> None:
    asked = offers(await desk.say(ANNE, "je cherche un remplaçant pour ma garde du 24/12"))
    sent = await desk.say(BRUNO, "pas dispo", reply_to=asked[BRUNO])
    assert [s.text for s in sent] == ["Noté, merci (remplacement n°1)."]
    sent = await desk.react(CHLOE, "❌", asked[CHLOE])
    assert texts(sent, CHLOE) == ["Noté, merci (remplacement n°1)."]
    assert any(text.startswith("Personne n'a pris votre garde") for text in texts(sent, ANNE))
    assert texts(sent, COORDINATION)


async def test_a_coordinator_overrides_a_duty_by_name_or_matrix_id(desk: Desk) -> None:
    asked = offers(await desk.say(ANNE, "je cherche un remplaçant pour ma garde du 24/12"))
    sent = await desk.say(COORDINATOR, "garde du 24/12 nuit : Mme Chloé remplace Mme Anne")
    assert texts(sent, f"!dm-{COORDINATOR}") == [
        "Planning mis à jour : Chloe remplace Anne — IDE, Hyères, jeu. 24 déc. 20:00–08:00."
    ]
    assert texts(sent, CHLOE) == [
        "La coordination vous confie cette garde : IDE, Hyères, jeu. 24 déc. 20:00–08:00 ; "
        "vous remplacez Anne."
    ]
    assert texts(sent, ANNE) == [
        "La coordination confie votre garde IDE, Hyères, jeu. 24 déc. 20:00–08:00 à Chloe (IDE)."
    ]
    # Anne's open request for that duty ends with it.
    assert all(s.text.startswith("[Demande annulée]") for s in sent if s.action == "edit")
    assert len([s for s in sent if s.action == "edit"]) == len(asked)
    assert await desk.on_duty(at(24, 23)) == [CHLOE]

    # Emma is on duty until 22 h: the override would give her two duties at once.
    sent = await desk.say(COORDINATOR, f"remplacer {CHLOE} par {EMMA} le 24/12 20h")
    assert [s.text for s in sent] == [
        "Refusé : Emma : garde jeu. 24 déc. 20 h – 8 h (IDE, Hyères) en même temps que sa "
        "garde du jeu. 24 déc. 18 h. Rien n'a été changé."
    ]
    assert await desk.on_duty(at(24, 23)) == [CHLOE]


@pytest.mark.parametrize(
    ("sender", "text", "answer"),
    [
        (
            ANNE,
            "garde du 24/12 nuit : Bruno remplace Anne",
            "Désolé : « remplacer » est réservé à la coordination.",
        ),
        (
            COORDINATOR,
            "garde du 24/12 nuit : Zoé remplace Anne",
            "Je ne trouve personne du nom de « Zoé » (IDE) dans l'annuaire ni au planning : "
            "donnez son identifiant Matrix (@nom:serveur).",
        ),
        (
            COORDINATOR,
            "garde du 24/12 nuit : Bruno remplace Karl",
            "Je ne trouve personne du nom de « Karl » parmi les personnes de garde à ce "
            "moment-là : donnez son identifiant Matrix (@nom:serveur).",
        ),
        (
            COORDINATOR,
            "garde du 23/12 : Bruno remplace @anne:cpts.test",
            "Anne n'a pas de garde le mer. 23 déc. au planning.",
        ),
        (
            COORDINATOR,
            "garde du 24/12 : Anne remplace Anne",
            "Le remplaçant doit être une autre personne que le remplacé.",
        ),
        (  # a kiné put on a nurse's duty by Matrix ID
            COORDINATOR,
            f"garde du 24/12 : {KARL} remplace Anne",
            "Karl n'est pas IDE dans l'annuaire ni au planning : vérifiez l'identifiant "
            "Matrix ; rien n'a été changé.",
        ),
        (  # a mistyped Matrix ID
            COORDINATOR,
            "garde du 24/12 : @chloee:cpts.test remplace Anne",
            "@chloee:cpts.test n'est pas IDE dans l'annuaire ni au planning : vérifiez "
            "l'identifiant Matrix ; rien n'a été changé.",
        ),
    ],
)
async def test_override_errors(desk: Desk, sender: str, text: str, answer: str) -> None:
    sent = await desk.say(sender, text)
    assert [s.text for s in sent] == [answer]
    assert await desk.on_duty(at(24, 23)) == [ANNE]


def test_the_count_of_colleagues_asked_agrees_with_its_noun() -> None:
    from cpts_bot.i18n import Translator

    singular = "Request for cover no. {id} sent to {count} free colleague: {duty}."
    plural = "Request for cover no. {id} sent to {count} free colleagues: {duty}."
    french = Translator("fr")
    assert french.ngettext(singular, plural, 1, id=3, duty="IDE") == (
        "Demande de remplacement n°3 envoyée à 1 collègue libre : IDE."
    )
    assert french.ngettext(singular, plural, 4, id=3, duty="IDE") == (
        "Demande de remplacement n°3 envoyée à 4 collègues libres : IDE."
    )


ZOE = "@zoe:cpts.test"  # on the nurses' rota, unknown to the directory


async def _conflicting(desk: Desk, kind: str) -> str:
    """Someone for whom Anne's night of the 24th would make a conflict of ``kind``."""
    async with desk.database.transaction() as db:
        if kind == "on_leave":
            leave = Leave(BRUNO, at(24, 0), at(25, 12))
            await rota_repository.add_leave(db, leave, rota_repository.SOURCE_CHAT, BRUNO, NOW)
            return BRUNO
        if kind == "overlap":
            shift = OneOffShift(BRUNO, "60", frozenset({HYERES}), at(25, 6), at(25, 10))
        else:  # a nurses' duty later on puts them on the nurses' rota
            user = ZOE if kind == "unknown_person" else KARL
            shift = OneOffShift(user, "60", frozenset({HYERES}), at(25, 12), at(25, 20))
        await rota_repository.add_shift(db, shift, rota_repository.SOURCE_CSV, "csv", NOW)
        return shift.user_id if kind != "overlap" else BRUNO


async def _handovers(desk: Desk) -> int:
    async with desk.database.transaction() as db:
        async with db.execute("SELECT COUNT(*) FROM duty_handovers") as cursor:
            return (await cursor.fetchone())[0]


SWAP_REFUSALS = {
    "on_leave": "vous êtes en congé à ce moment-là",
    "overlap": "vous êtes déjà de garde à ce moment-là (ven. 25 déc. 6 h – 10 h)",
    "unknown_person": (
        "l'annuaire de la CPTS ne vous connaît pas : demandez à la coordination d'ajouter "
        "votre fiche"
    ),
    "wrong_profession": "vous êtes kiné dans l'annuaire",
}


@pytest.mark.parametrize("kind", sorted(SWAP_REFUSALS))
async def test_taking_a_duty_that_would_clash_is_refused(desk: Desk, kind: str) -> None:
    """The conflict arises after the offer (a leave, a duty added) or the one asked is
    on the rota only: their « je prends » is refused with the conflict named, nothing is
    written, and a colleague can still take it."""
    if kind == "unknown_person":  # known when asked, their card removed since
        taker = await _conflicting(desk, kind)
        FEATURE.directory.professionals.append(professional(ZOE, "60", HYERES))
        try:
            asked = offers(await desk.say(ANNE, "je cherche un remplaçant pour ma garde du 24/12"))
        finally:
            FEATURE.directory.professionals.pop()
    elif kind == "wrong_profession":  # a nurse when asked, a kiné on their card since
        taker = await _conflicting(desk, kind)
        karl = FEATURE.directory.professionals.index(professional(KARL, "70", HYERES))
        FEATURE.directory.professionals[karl] = professional(KARL, "60", HYERES)
        try:
            asked = offers(await desk.say(ANNE, "je cherche un remplaçant pour ma garde du 24/12"))
        finally:
            FEATURE.directory.professionals[karl] = professional(KARL, "70", HYERES)
    else:
        asked = offers(await desk.say(ANNE, "je cherche un remplaçant pour ma garde du 24/12"))
        taker = await _conflicting(desk, kind)
    assert taker in asked
    sent = await desk.say(taker, "je prends", reply_to=asked[taker])
    assert [(s.target, s.text) for s in sent] == [
        (
            asked[taker].room_id,
            "Vous ne pouvez pas prendre le remplacement n°1 (IDE, Hyères, jeu. 24 déc. "
            f"20:00–08:00) : {SWAP_REFUSALS[kind]}. Rien n'a été changé ; la demande reste "
            "ouverte à vos confrères.",
        )
    ]
    assert await desk.on_duty(at(24, 23)) == [ANNE]
    assert await _handovers(desk) == 0
    async with desk.database.transaction() as db:
        swap = await repo.get(db, 1)
    assert swap is not None and swap.state.value == "open" and swap.taken_by is None
    sent = await desk.say(CHLOE, "je prends", reply_to=asked[CHLOE])
    assert await desk.on_duty(at(24, 23)) == [CHLOE]


async def test_a_colleague_unknown_to_the_directory_is_not_asked(desk: Desk) -> None:
    """Zoé is on the nurses' rota but has no card: taking the duty would refuse her, so
    she is not asked, and the requester is told in one line how many were left out."""
    await _conflicting(desk, "unknown_person")
    sent = await desk.say(ANNE, "je cherche un remplaçant pour ma garde du 24/12")
    assert set(offers(sent)) == {BRUNO, CHLOE}
    assert texts(sent, f"!dm-{ANNE}") == [
        "Demande de remplacement n°1 envoyée à 2 collègues libres : IDE, Hyères, "
        "jeu. 24 déc. 20:00–08:00.\n"
        "Je vous dirai qui la prend. « annuler remplacement 1 » pour l'annuler.\n"
        "1 collègue du planning n'a pas été sollicité : l'annuaire de la CPTS ne le connaît "
        "pas (la coordination peut ajouter sa fiche)."
    ]


async def test_a_rota_colleague_of_another_profession_on_their_card_is_not_asked(
    desk: Desk,
) -> None:
    """Karl is on the nurses' rota but a kiné on his card; Zoé has no card: neither is
    asked, and the requester is told why, in one line."""
    await _conflicting(desk, "wrong_profession")
    await _conflicting(desk, "unknown_person")
    sent = await desk.say(ANNE, "je cherche un remplaçant pour ma garde du 24/12")
    assert set(offers(sent)) == {BRUNO, CHLOE}
    assert texts(sent, f"!dm-{ANNE}")[0].splitlines()[-1] == (
        "1 collègue du planning n'a pas été sollicité : l'annuaire de la CPTS ne le connaît "
        "pas (la coordination peut ajouter sa fiche). 1 collègue du planning n'a pas été "
        "sollicité : sa fiche de l'annuaire indique une autre profession."
    )


LEFT_OUT = (
    "{count} colleague of the rota was not asked: the CPTS directory does not know them"
    " (the coordination can add their card)."
)
LEFT_OUT_PLURAL = (
    "{count} colleagues of the rota were not asked: the CPTS directory does not know them"
    " (the coordination can add their cards)."
)


async def test_nobody_known_free_tells_who_was_left_out(desk: Desk) -> None:
    await _conflicting(desk, "unknown_person")
    await desk.shift(BRUNO, at(24, 19), at(24, 23))
    await desk.shift(CHLOE, at(25, 6), at(25, 9))
    sent = await desk.say(ANNE, "je cherche un remplaçant pour ma garde du 24/12")
    assert offers(sent) == {}
    assert texts(sent, f"!dm-{ANNE}") == [
        "Aucun collègue de votre profession n'est libre pour IDE, Hyères, "
        "jeu. 24 déc. 20:00–08:00 : la coordination est prévenue.\n"
        "1 collègue du planning n'a pas été sollicité : l'annuaire de la CPTS ne le connaît "
        "pas (la coordination peut ajouter sa fiche)."
    ]
    english = Translator("en").ngettext(LEFT_OUT, LEFT_OUT_PLURAL, 2)
    assert english == (
        "2 colleagues of the rota were not asked: the CPTS directory does not know them "
        "(the coordination can add their cards)."
    )


OVERRIDE_REFUSALS = {
    "on_leave": "{name} : garde jeu. 24 déc. 20 h – 8 h (IDE, Hyères) pendant son congé",
    "overlap": (
        "{name} : garde jeu. 24 déc. 20 h – 8 h (IDE, Hyères) en même temps que sa garde "
        "du ven. 25 déc. 6 h"
    ),
    "unknown_person": "{name} : garde jeu. 24 déc. 20 h – 8 h (IDE, Hyères), inconnu de l'annuaire",
    "wrong_profession": "{name} : garde jeu. 24 déc. 20 h – 8 h (IDE, Hyères), mais kiné dans l'annuaire",
}


@pytest.mark.parametrize("kind", sorted(OVERRIDE_REFUSALS))
async def test_an_override_that_would_clash_is_refused(desk: Desk, kind: str) -> None:
    replacement = await _conflicting(desk, kind)
    sent = await desk.say(COORDINATOR, f"garde du 24/12 nuit : {replacement} remplace Anne")
    name = replacement.split(":")[0].lstrip("@").title() if kind != "unknown_person" else ZOE
    conflict = OVERRIDE_REFUSALS[kind].format(name=name)
    assert [s.text for s in sent] == [f"Refusé : {conflict}. Rien n'a été changé."]
    assert sent[0].target == f"!dm-{COORDINATOR}"  # the replacement is told nothing
    assert await desk.on_duty(at(24, 23)) == [ANNE]
    assert await _handovers(desk) == 0
