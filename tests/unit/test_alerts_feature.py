"""Territorial alerts by chat, over a real SQLite: create, confirm, post, pin, acknowledge,
remind, manage, and what happens after the bot was down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cpts_bot.chat.command_dispatch import Routes, route_message, route_reaction
from cpts_bot.core.messages import IncomingReaction
from cpts_bot.features.alerts.chat import AlertsFeature
from cpts_bot.features.alerts.posting_service import run_due_alerts
from cpts_bot.features.alerts.run_service import AlertSettings
from cpts_bot.features.directory.card import Card
from cpts_bot.features.directory.models import PracticeSite
from cpts_bot.features.directory.repository import SOURCE_CPTS, DirectoryRepository, NationalRecord
from cpts_bot.features.reports.monthly_stats import Month
from cpts_bot.i18n import Translator
from cpts_bot.reporting.monthly_report import build_monthly_report
from cpts_bot.storage.database import Database
from tests.unit.alerts_reports_support import (
    ALERTS_ROOM,
    BOT,
    COORDINATION_ROOM,
    COORDINATOR,
    GP,
    NURSE,
    NURSE_DUTY_ROOM,
    PHYSIO_DUTY_ROOM,
    make_context,
    mark_sent,
    message,
    open_database,
    outbox_rows,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday, 11:00 in Paris
DM = "!dm-coord:example.org"


async def give_card(
    database: Database, user_id: str, last: str, first: str, profession: str
) -> None:
    async with database.transaction() as db:
        repository = DirectoryRepository(db)
        key = f"cpts-{last.lower()}"
        record = NationalRecord(
            key=key,
            rpps=None,
            title="",
            last_name=last,
            first_name=first,
            profession_code=profession,
            profession_label="",
            sites=(PracticeSite("69388", "Lyon 8e", "69008", "1 rue A"),),
        )
        await repository.upsert_national([record], SOURCE_CPTS, NOW)
        await repository.save_card(key, Card(matrix_id=user_id, phone="04 78 00 00 01"), "t", NOW)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


class FakeMembers:
    def __init__(self, rooms: dict[str, list[str]]) -> None:
        self.rooms = rooms

    async def members(self, room_id: str) -> list[str]:
        return list(self.rooms.get(room_id, []))

    def room_name(self, room_id: str) -> str | None:
        return {ALERTS_ROOM: "Alertes", NURSE_DUTY_ROOM: "Garde IDE"}.get(room_id)


MEMBERS = FakeMembers(
    {
        ALERTS_ROOM: [BOT, COORDINATOR, GP, NURSE, "@mk:example.org"],
        NURSE_DUTY_ROOM: [BOT, NURSE, "@ide2:example.org"],
    }
)


class Chat:
    """Send messages to the feature at given times and read what it queued."""

    def __init__(self, database: Database, feature: AlertsFeature) -> None:
        self.database = database
        self.feature = feature
        self.last = 0
        self.count = 0
        self.delivered: list[dict] = []  # what the homeserver received (action, target, payload)

    async def say(
        self,
        body: str,
        at: datetime = NOW,
        sender: str = COORDINATOR,
        room: str = DM,
        **extra: object,
    ) -> list[dict]:
        self.count += 1
        incoming = message(body, sender, room, at, f"$m{self.count}", **extra)
        async with self.database.transaction() as db:
            context = make_context(db, at, incoming)
            handled = await route_message(Routes.of(self.feature), incoming, context)
        rows = await self.new_rows()
        return rows if handled else [{"unhandled": True}]

    async def react(
        self, event_id: str, sender: str, room: str, at: datetime, key: str = "👍"
    ) -> bool:
        self.count += 1
        reaction = IncomingReaction(f"$r{self.count}", room, sender, key, event_id, at)
        async with self.database.transaction() as db:
            context = make_context(db, at)
            return await route_reaction(Routes.of(self.feature), reaction, context)

    async def tick(self, at: datetime, grace: timedelta = timedelta(minutes=30)):
        async with self.database.transaction() as db:
            summary = await run_due_alerts(
                make_context(db, at),
                at,
                members=MEMBERS,
                settings=AlertSettings(grace=grace),
                bot_user_id=BOT,
            )
        return summary, await self.new_rows()

    async def send_all(self) -> None:
        """Play the Matrix adapter: mark queued rows sent, tell the feature the event ids."""
        rows = await self.database.fetch_all(
            "SELECT txn_id, action, target, payload, correlation FROM outbox WHERE sent_at IS NULL"
        )
        for row in rows:
            self.delivered.append(dict(row))
            event_id = "$ev-" + row["txn_id"][-8:]
            await mark_sent(self.database, row["txn_id"], event_id)
            if row["correlation"]:
                async with self.database.transaction() as db:
                    await self.feature.on_sent(db, row["correlation"], row["target"], event_id)

    async def new_rows(self) -> list[dict]:
        rows = await outbox_rows(self.database, after=self.last)
        if rows:
            self.last = rows[-1]["id"]
        return rows


@pytest.fixture
async def chat(tmp_path: Path) -> AsyncIterator[Chat]:
    database = await open_database(tmp_path)
    yield Chat(database, AlertsFeature(members=MEMBERS))
    await database.close()


async def test_non_coordinators_are_refused_in_french(chat: Chat) -> None:
    for body in ("alerte urgent: canicule", "alertes", "annuler alerte 1", "qui a lu l'alerte 1 ?"):
        (reply,) = await chat.say(body, sender=GP, room="!dm-gp:example.org")
        text = reply["payload"]["text"]
        assert text.startswith("Désolé : « ") and text.endswith("est réservé à la coordination.")
    assert await chat.database.fetch_all("SELECT * FROM alerts") == []
    assert await chat.say("oui", sender=GP) == [{"unhandled": True}]
    assert await chat.say("kiné Bron ?") == [{"unhandled": True}]


async def test_create_echo_confirm_post_pin_acknowledge(chat: Chat) -> None:
    (echo,) = await chat.say(
        "alerte urgent: Canicule niveau 3, pensez aux patients isolés | quand: demain 8h"
        " | pour: tous, IDE | jusqu'au: 15 décembre"
    )
    text = echo["payload"]["text"]
    assert text.splitlines()[0] == "Alerte n° 1 à confirmer :"
    assert "🔴 ALERTE URGENTE — Canicule niveau 3, pensez aux patients isolés" in text
    assert "Quand : mardi 24 novembre 2026 à 08:00" in text
    # The confirmation names the rooms it will be posted in.
    assert "Pour : salons d'alerte, salon de garde IDE (« Alertes », « Garde IDE »)" in text
    assert "Jusqu'au : mercredi 16 décembre 2026 à 00:00" in text
    assert text.endswith("Répondez « oui » pour confirmer, « non » pour abandonner.")

    summary, rows = await chat.tick(paris(2026, 11, 24, 8, 0))
    assert rows == [] and summary.posted == []  # a draft is never posted

    (confirmed,) = await chat.say("Oui")
    assert confirmed["payload"]["text"].startswith("Alerte n° 1 confirmée")
    summary, rows = await chat.tick(NOW + timedelta(minutes=1))
    assert rows == []  # not yet due

    due = paris(2026, 11, 24, 8, 0)
    summary, rows = await chat.tick(due + timedelta(seconds=3))
    assert summary.posted == [(1, due, False)]
    assert [row["target"] for row in rows] == [ALERTS_ROOM, NURSE_DUTY_ROOM]
    post = rows[0]["payload"]
    assert post["text"].startswith("🔴 ALERTE URGENTE — Canicule")
    assert post["room_mention"] is True and post["notice"] is False
    assert "Merci d'accuser lecture" in post["text"]
    assert rows[0]["correlation"] == f"alert:1:{ALERTS_ROOM}"

    # Running again posts nothing twice.
    summary, rows = await chat.tick(due + timedelta(seconds=8))
    assert rows == [] and summary.posted == []

    await chat.send_all()
    summary, rows = await chat.tick(due + timedelta(seconds=10))
    assert sorted((row["action"], row["target"]) for row in rows) == [
        ("pin", ALERTS_ROOM),
        ("pin", NURSE_DUTY_ROOM),
    ]
    alerts_event = (
        rows[0]["payload"]["event_id"]
        if rows[0]["target"] == ALERTS_ROOM
        else (rows[1]["payload"]["event_id"])
    )

    # Acknowledged by a reaction and by a reply; the bot's own reaction does not count.
    at = due + timedelta(minutes=3)
    assert await chat.react(alerts_event, NURSE, ALERTS_ROOM, at)
    assert await chat.react(alerts_event, BOT, ALERTS_ROOM, at)
    assert not await chat.react("$unrelated", NURSE, ALERTS_ROOM, at)
    assert (
        await chat.say("bien reçu", at=at, sender=GP, room=ALERTS_ROOM, reply_to=alerts_event) == []
    )

    # The nurse has a card: named by it; the others only by their Matrix IDs.
    await give_card(chat.database, NURSE, "MARTIN", "Claire", "60")
    (who,) = await chat.say("Qui a lu l'alerte 1 ?", at=at)
    lines = who["payload"]["text"].splitlines()
    assert lines[0] == ("Alerte n° 1 (publiée mardi 24 novembre 2026 à 08:00) : lue par 2 sur 4.")
    assert lines[1] == f"✅ {GP}, Claire MARTIN (IDE)"
    assert lines[2] == "⏳ @ide2:example.org, @mk:example.org"
    firing = await chat.database.fetch_one("SELECT targeted FROM alert_firings")
    assert firing["targeted"] == 4  # members of both rooms, without the bot and the author

    # Expiry: unpinned, status expired.
    summary, rows = await chat.tick(paris(2026, 12, 16, 0, 0))
    assert summary.expired == [1]
    assert sorted((row["action"], row["target"]) for row in rows) == [
        ("unpin", ALERTS_ROOM),
        ("unpin", NURSE_DUTY_ROOM),
    ]
    status = await chat.database.fetch_one("SELECT status FROM alerts WHERE id = 1")
    assert status["status"] == "expired"


async def test_info_alert_now_is_quiet_and_non_coordinator_yes_is_ignored(chat: Chat) -> None:
    (echo,) = await chat.say("alerte: Réunion CPTS jeudi soir")
    assert "Quand : lundi 23 novembre 2026 à 11:00" in echo["payload"]["text"]
    later = NOW + timedelta(minutes=5)
    (confirmed,) = await chat.say("oui", at=later)
    assert confirmed["payload"]["text"].startswith("Alerte n° 1 confirmée")
    summary, rows = await chat.tick(later + timedelta(seconds=2))
    assert summary.posted == [(1, later, False)]
    (post,) = rows
    assert post["payload"]["text"].startswith("Information — Réunion CPTS jeudi soir")
    assert post["payload"]["room_mention"] is False and post["payload"]["notice"] is True
    assert "accuser" not in post["payload"]["text"]


async def test_recurring_alert_with_an_injected_clock(chat: Chat) -> None:
    await chat.say(
        "alerte important: Garde du week-end à pourvoir | quand: tous les lundis"
        " à 8h | pour: gardes | rappel: 2 h"
    )
    await chat.say("oui")
    posted = []
    clock = NOW
    for _ in range(3 * 7 * 24 * 2):  # three weeks, every 30 minutes
        clock += timedelta(minutes=30)
        summary, _rows = await chat.tick(clock)
        posted += summary.posted
        await chat.send_all()
    assert posted == [
        (1, paris(2026, 11, 30, 8, 0), False),
        (1, paris(2026, 12, 7, 8, 0), False),
        (1, paris(2026, 12, 14, 8, 0), False),
    ]
    # Each week the previous post is unpinned when the new one is pinned.
    actions = await chat.database.fetch_all(
        "SELECT action, target FROM outbox WHERE action IN ('pin', 'unpin') ORDER BY id"
    )
    assert [row["action"] for row in actions] == [
        "pin",
        "pin",
        "unpin",
        "unpin",
        "pin",
        "pin",
        "unpin",
        "unpin",
        "pin",
        "pin",
    ]
    # Reminders went by direct message to duty-room members who had not acknowledged.
    reminders = [row for row in chat.delivered if row["action"] == "direct_message"]
    assert sorted({row["target"] for row in reminders}) == ["@ide2:example.org", NURSE]
    assert len(reminders) == 6
    assert "Rappel : merci d'accuser lecture de l'alerte n° 1" in reminders[0]["payload"]


async def test_missed_while_down_posted_late_within_grace_else_skipped(chat: Chat) -> None:
    await chat.say("alerte: Point hebdo | quand: tous les jours à 8h")
    await chat.say("oui")
    summary, _ = await chat.tick(paris(2026, 11, 24, 8, 0))
    assert summary.posted == [(1, paris(2026, 11, 24, 8, 0), False)]
    # Down from the 24th after 8h to the 27th at 8h20: 25th and 26th skipped, 27th late.
    summary, rows = await chat.tick(paris(2026, 11, 27, 8, 20))
    assert summary.skipped == [(1, paris(2026, 11, 25, 8, 0)), (1, paris(2026, 11, 26, 8, 0))]
    assert summary.posted == [(1, paris(2026, 11, 27, 8, 0), True)]
    report = next(row for row in rows if row["target"] == COORDINATION_ROOM)
    assert report["payload"]["text"].startswith(
        "⚠️ L'alerte n° 1 n'a pas été publiée le mercredi 25 novembre 2026 à 08:00,"
        " jeudi 26 novembre 2026 à 08:00"
    )
    late = next(row for row in rows if row["target"] == ALERTS_ROOM)
    assert (
        "(publiée en retard : elle était prévue vendredi 27 novembre 2026 à 08:00)"
        in (late["payload"]["text"])
    )
    firings = await chat.database.fetch_all(
        "SELECT scheduled_for, status, late FROM alert_firings ORDER BY scheduled_for"
    )
    assert [(row["status"], row["late"]) for row in firings] == [
        ("posted", 0),
        ("skipped", 0),
        ("skipped", 0),
        ("posted", 1),
    ]
    # Beyond the grace period: skipped, reported, never posted.
    summary, rows = await chat.tick(paris(2026, 11, 28, 9, 0))
    assert summary.posted == [] and summary.skipped == [(1, paris(2026, 11, 28, 8, 0))]
    assert [row["target"] for row in rows] == [COORDINATION_ROOM]


async def test_a_post_later_than_the_check_interval_is_marked_late(chat: Chat) -> None:
    """Posted 90 s after its time with checks every 5 s: late, and said so (the 2-minute
    tolerance of old let such posts pass as on time)."""
    await chat.say("alerte: Point hebdo | quand: tous les jours à 8h")
    await chat.say("oui")
    summary, _ = await chat.tick(paris(2026, 11, 24, 8, 0, 4))
    assert summary.posted == [(1, paris(2026, 11, 24, 8, 0), False)]
    summary, rows = await chat.tick(paris(2026, 11, 25, 8, 1, 30))
    assert summary.posted == [(1, paris(2026, 11, 25, 8, 0), True)]
    post = next(row for row in rows if row["target"] == ALERTS_ROOM)
    assert "publiée en retard" in post["payload"]["text"]


async def test_manage_list_show_edit_pause_resume_cancel(chat: Chat) -> None:
    await chat.say(
        "alerte important: Rupture amoxicilline | quand: chaque 1er du mois à 9h"
        " | pour: coordination"
    )
    await chat.say("oui")
    (listing,) = await chat.say("alertes")
    assert listing["payload"]["text"].splitlines() == [
        "Alertes en cours : 1",
        "🟠 1. Rupture amoxicilline — le 1 de chaque mois à 09:00 (le dernier jour pour les"
        " mois plus courts)",
    ]
    (edited,) = await chat.say("modifier alerte 1 quand: tous les jours à 18h | pour: MK")
    assert "Quand : tous les jours à 18:00" in edited["payload"]["text"]
    assert "Pour : salon de garde MK" in edited["payload"]["text"]
    (paused,) = await chat.say("pause alerte 1")
    assert paused["payload"]["text"] == "Alerte n° 1 suspendue."
    summary, _ = await chat.tick(paris(2026, 11, 23, 18, 0))
    assert summary.posted == []
    (resumed,) = await chat.say("reprendre alerte 1", at=paris(2026, 11, 24, 12, 0))
    assert resumed["payload"]["text"] == "Alerte n° 1 reprise."
    summary, rows = await chat.tick(paris(2026, 11, 24, 18, 0))
    assert summary.posted == [(1, paris(2026, 11, 24, 18, 0), False)]
    assert summary.skipped == []  # nothing owed for the pause
    assert [row["target"] for row in rows] == [PHYSIO_DUTY_ROOM]
    (shown,) = await chat.say("alerte 1")
    history = shown["payload"]["text"]
    assert history.splitlines()[0] == "Alerte n° 1 (active)"
    for action in ("drafted", "confirmed", "edited", "paused", "resumed", "posted"):
        assert f"— {action}" in history
    (cancelled,) = await chat.say("annuler alerte 1")
    assert cancelled["payload"]["text"].startswith("Alerte n° 1 annulée")
    (again,) = await chat.say("pause alerte 1")
    assert again["payload"]["text"] == "L'alerte n° 1 est déjà terminée (annulée)."
    (missing,) = await chat.say("alerte 99")
    assert missing["payload"]["text"] == "Il n'y a pas d'alerte n° 99."
    changes = await chat.database.fetch_all("SELECT actor, action FROM alert_changes")
    assert (COORDINATOR, "cancelled") in [tuple(row) for row in changes]


async def test_bad_input_gets_precise_french_errors(chat: Chat) -> None:
    cases = {
        "alerte urgent: x | quand: 31 novembre 8h": "Le 31 novembre n'existe pas.",
        "alerte urgent: x | quand: cron: 0 8 * *": "Expression cron invalide « 0 8 * * » : cinq champs attendus"
        " (minute heure jour mois jour-de-la-semaine).",
        "alerte urgent: x | pour: dentistes": "Public inconnu « dentistes ». Choisissez parmi : tous, gardes, coordination,"
        " IDE, MK.",
        "alerte tres: x": "Niveau inconnu « tres » : info, important ou urgent.",
        "alerte urgent: x | demain": "Je ne comprends pas « demain ». Utilisez quand:, pour:,"
        " jusqu'au:, rappel:, niveau: ou texte:.",
        "alerte urgent: x | quand: hier 8h": "Ce moment est déjà passé : hier 8h.",
        "alerte urgent: x | quand: demain 8h | jusqu'au: 23 novembre 12h": "L'alerte se terminerait avant d'être publiée.",
    }
    for body, expected in cases.items():
        (reply,) = await chat.say(body)
        assert reply["payload"]["text"] == expected, body
    assert await chat.database.fetch_all("SELECT * FROM alerts") == []


async def test_no_drops_a_draft(chat: Chat) -> None:
    await chat.say("alerte: test")
    (dropped,) = await chat.say("non")
    assert dropped["payload"]["text"] == "Alerte n° 1 abandonnée."
    summary, rows = await chat.tick(NOW + timedelta(minutes=1))
    assert rows == [] and summary.posted == []


async def test_edit_to_now_posts_again_and_a_finished_alert_is_reactivated(chat: Chat) -> None:
    await chat.say("alerte important: Vaccination grippe | quand: maintenant")
    await chat.say("oui")
    summary, _ = await chat.tick(NOW + timedelta(seconds=5))
    assert summary.posted == [(1, NOW, False)]
    status = await chat.database.fetch_one("SELECT status FROM alerts")
    assert status["status"] == "finished"
    later = NOW + timedelta(hours=2)
    (changed,) = await chat.say(
        "modifier alerte 1 quand: maintenant | texte: Vaccination grippe : créneaux ajoutés",
        at=later,
    )
    assert changed["payload"]["text"].startswith("Alerte n° 1 modifiée :")
    summary, rows = await chat.tick(later + timedelta(seconds=5))
    assert summary.posted == [(1, later, False)]
    assert rows[0]["payload"]["text"].startswith(
        "🟠 Alerte importante — Vaccination grippe : créneaux ajoutés"
    )


async def test_monthly_report_counts_alert_acknowledgements(chat: Chat) -> None:
    await chat.say("alerte urgent: Canicule | quand: maintenant | pour: tous")
    await chat.say("oui")
    await chat.tick(NOW + timedelta(seconds=2))
    await chat.send_all()
    event = await chat.database.fetch_one("SELECT event_id FROM alert_posts")
    for user in (NURSE, GP, NURSE):
        assert await chat.react(event["event_id"], user, ALERTS_ROOM, NOW + timedelta(minutes=1))
    async with chat.database.transaction() as db:
        report = await build_monthly_report(db, Month(2026, 11), Translator("fr"), charts=False)
    # Targeted: GP, nurse and the physiotherapist of the alerts room (not the bot or author).
    assert report.stats.alerts_total == 1
    assert report.stats.acknowledgement_rate == pytest.approx(2 / 3)
    assert "Alertes lues (accusé de lecture) : 67 %" in report.text


async def test_syntax_variants_and_usage(chat: Chat) -> None:
    (usage,) = await chat.say("alerte")
    assert usage["payload"]["text"].startswith("Écrivez l'alerte sur une ligne")
    (echo,) = await chat.say("Alerte URGENTE Pénurie d'amoxicilline | quand: demain 8h")
    assert "🔴 ALERTE URGENTE — Pénurie d'amoxicilline" in echo["payload"]["text"]
    (echo,) = await chat.say(
        "alerte: Fermeture du centre | niveau: important | pour: IDE et MK | rappel: 45 min"
    )
    text = echo["payload"]["text"]
    assert "🟠 Alerte importante — Fermeture du centre" in text
    assert "Pour : salon de garde IDE, salon de garde MK" in text
    assert "Rappel à ceux qui n'ont pas accusé lecture après 45 min" in text
    drafts = await chat.database.fetch_all("SELECT status FROM alerts ORDER BY id")
    assert [row["status"] for row in drafts] == ["cancelled", "draft"]  # one draft at a time
    (echo,) = await chat.say("alerte: Staff | quand: tous les lundis et jeudis à 8h30")
    lines = echo["payload"]["text"].splitlines()
    assert "Quand : tous les lundis et jeudis à 08:30" in lines
    assert "Prochaine : jeudi 26 novembre 2026 à 08:30" in lines


async def test_a_one_off_alert_missed_beyond_grace_is_reported_not_posted(chat: Chat) -> None:
    await chat.say("alerte urgent: Exercice de crise | quand: demain 8h")
    await chat.say("oui")
    summary, rows = await chat.tick(paris(2026, 11, 24, 9, 0))  # down from 7h55 to 9h
    assert summary.posted == [] and summary.skipped == [(1, paris(2026, 11, 24, 8, 0))]
    (report,) = rows
    assert report["target"] == COORDINATION_ROOM
    assert "Exercice de crise" in report["payload"]["text"]
    status = await chat.database.fetch_one("SELECT status FROM alerts")
    assert status["status"] == "finished"
    summary, rows = await chat.tick(paris(2026, 11, 24, 9, 1))
    assert rows == [] and summary.skipped == []


async def test_a_posted_one_off_alert_can_be_cancelled_which_unpins_it(chat: Chat) -> None:
    await chat.say("alerte important: Rupture d'amoxicilline | pour: tous")
    await chat.say("oui")
    summary, _rows = await chat.tick(NOW + timedelta(seconds=2))
    assert summary.posted
    await chat.send_all()
    summary, _rows = await chat.tick(NOW + timedelta(seconds=4))
    assert summary.pinned == 1
    status = await chat.database.fetch_one("SELECT status FROM alerts WHERE id = 1")
    assert status["status"] == "finished"  # posted, still in force (pinned)

    (cancelled,) = await chat.say("annuler alerte 1", at=NOW + timedelta(minutes=1))
    assert cancelled["payload"]["text"].startswith("Alerte n° 1 annulée")
    summary, rows = await chat.tick(NOW + timedelta(minutes=1, seconds=2))
    assert [(row["action"], row["target"]) for row in rows] == [("unpin", ALERTS_ROOM)]
    (again,) = await chat.say("annuler alerte 1", at=NOW + timedelta(minutes=2))
    assert "déjà terminée" in again["payload"]["text"]
    (paused,) = await chat.say("pause alerte 1", at=NOW + timedelta(minutes=2))
    assert "déjà terminée" in paused["payload"]["text"]
