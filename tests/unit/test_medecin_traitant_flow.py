"""The médecin-traitant desk end to end over a real SQLite (the homeserver faked): a
pharmacist registers two patients, two GPs declare room, the priority patient is placed
first, the other GP gets the next one; details reach only the GP who accepts and are
erased once sent; the directory card follows the declared room."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cpts_bot.chat.command_dispatch import Routes, route_message
from cpts_bot.core.times import PARIS
from cpts_bot.features.card.chat import CardFeature
from cpts_bot.features.directory.models import Modality
from cpts_bot.features.directory.repository import DirectoryRepository
from cpts_bot.features.medecin_traitant import repository as repo
from cpts_bot.storage.database import Database
from cpts_bot.storage.retention_repository import apply_retention
from tests.unit.dispatch_support import COORDINATOR, HYERES, TOULON, context_for, message
from tests.unit.medecin_traitant_support import (
    COORDINATION_ROOM,
    GP_A,
    GP_B,
    NURSE,
    PHARMACIST,
    Desk,
    add_professional,
    mt_config,
    offers_to,
    to,
)

NOW = datetime(2026, 11, 10, 10, 0, tzinfo=PARIS).astimezone(UTC)
FIRST = "patient sans médecin traitant, 45 ans, Hyères, vu à la pharmacie"
SECOND = (
    "patient sans médecin traitant, 78 ans, ALD diabète, Hyères, vu à la pharmacie\n"
    "coordonnées : M. Durand, 06 11 22 33 44"
)


async def _desk(tmp_path: Path, **policy: object) -> Desk:
    database = await Database.open(tmp_path / "bot.sqlite")
    async with database.transaction() as db:
        await add_professional(db, GP_A, HYERES, NOW, phone="04 94 00 00 0A")
        await add_professional(db, GP_B, HYERES, NOW, phone="04 94 00 00 0B")
        await add_professional(db, PHARMACIST, HYERES, NOW, profession="21")
        await add_professional(db, NURSE, TOULON, NOW, profession="60")
    return Desk(database, mt_config(**policy))


async def _modality(desk: Desk, user: str) -> tuple[bool, str] | None:
    async with desk.database.transaction() as db:
        directory = DirectoryRepository(db)
        key = await directory.find_key_by_matrix_id(user)
        assert key is not None
        declaration = (await directory.load_card(key)).modalities.get(Modality.NEW_PATIENTS)
    return (declaration.available, declaration.note) if declaration else None


async def test_priority_patient_is_placed_first_and_details_go_only_to_the_gp(
    tmp_path: Path,
) -> None:
    desk = await _desk(tmp_path)
    assert await desk.say(PHARMACIST, FIRST, NOW)
    assert await desk.say(PHARMACIST, SECOND, NOW + timedelta(minutes=1))
    sent = await desk.flush(NOW)
    replies = to(sent, PHARMACIST)
    assert "Demande médecin traitant n°1 enregistrée : 40 à 59 ans, Hyères." in replies
    assert "n°2 enregistrée : 70 à 79 ans, Hyères, prioritaire : ALD, personne âgée" in replies
    assert "Aucun médecin n'a de place" in replies
    assert "Durand" not in replies and "diabète" not in replies

    # GP A declares room: the priority patient (registered second) is offered first.
    later = NOW + timedelta(minutes=5)
    assert await desk.say(GP_A, "je peux prendre 1 nouveau patient", later)
    sent = await desk.flush(later)
    assert "C'est noté : 1 nouveau patient" in to(sent, GP_A)
    offer_a = offers_to(sent, GP_A)
    assert len(offer_a) == 1 and "demande n°2" in offer_a[0].text
    assert "Durand" not in offer_a[0].text and "diabète" not in offer_a[0].text
    assert await _modality(desk, GP_A) == (True, "1 place restante")

    # GP B declares room: also offered the priority patient (one offer each at a time).
    assert await desk.say(GP_B, "je peux prendre 2 nouveaux patients ce mois-ci", later)
    offer_b = offers_to(await desk.flush(later), GP_B)
    assert len(offer_b) == 1 and "demande n°2" in offer_b[0].text

    # A accepts by reply: A gets the details and the referrer's contact, the pharmacist
    # gets A's name and phone, B is told and offered the next patient.
    accepted = later + timedelta(minutes=3)
    assert await desk.say(GP_A, "je prends", accepted, reply_to=offer_a[0].event_id)
    sent = await desk.flush(accepted)
    details = to(sent, GP_A)
    assert "vous êtes le médecin traitant de ce patient" in details
    assert "M. Durand, 06 11 22 33 44" in details and "ALD diabète" in details
    assert "Adressé par : Dr Test Pharma" not in details  # the pharmacist has no title
    assert "Test Pharma" in details
    told = to(sent, PHARMACIST)
    assert "n°2 : Dr Test Alpha" in told and "04 94 00 00 0A" in told
    texts_b = to(sent, GP_B)
    assert "acceptée par un confrère" in texts_b
    assert "Durand" not in texts_b
    next_b = offers_to(sent, GP_B)
    assert len(next_b) == 1 and "demande n°1" in next_b[0].text
    async with desk.database.transaction() as db:
        assert await repo.private_text(db, 2) == "", "erased once sent to the GP"
    assert await _modality(desk, GP_A) == (False, "")

    # B accepts the other patient by reaction; its capacity goes from 2 to 1.
    assert await desk.react(GP_B, "👍", next_b[0].event_id, accepted)
    sent = await desk.flush(accepted)
    assert "Il vous reste 1 place" in to(sent, GP_B)
    assert await _modality(desk, GP_B) == (True, "1 place restante")
    async with desk.database.transaction() as db:
        placed = {r.id: r.placed_with for r in await repo.requests_created_before(db, accepted)}
    assert placed == {1: GP_B, 2: GP_A}

    # A late accept of the placed request, written after B was told, is told, and
    # nothing else happens (an accept written before is not told twice: the race test).
    written = accepted + timedelta(minutes=1)
    assert await desk.say(GP_B, "je prends", written, reply_to=offer_b[0].event_id)
    assert "a déjà été acceptée" in to(await desk.flush(written), GP_B)
    await desk.database.close()


async def test_details_in_a_follow_up_decline_lapse_and_escalation(tmp_path: Path) -> None:
    desk = await _desk(
        tmp_path,
        offer_expire_after_seconds=60,
        widen_to_neighbours_after_seconds=3600,
        widen_to_territory_after_seconds=7200,
        notify_coordination_after_seconds=5000,
    )
    # Registered in a shared room: the reply says where to give contact details.
    assert await desk.say(
        NURSE,
        "patiente sans médecin traitant 34 ans enceinte La Crau",
        NOW,
        room="!shared:cpts.test",
        direct=False,
    )
    sent = await desk.flush(NOW)
    shared = [s.text for s in sent if s.target == "!shared:cpts.test"]
    assert "prioritaire : grossesse" in shared[0] and "coordonnées 1 :" in shared[0]
    assert await desk.say(NURSE, "coordonnées 1 : Mme L., 06 99 88 77 66", NOW)
    assert "le médecin qui acceptera la demande n°1" in to(await desk.flush(NOW), NURSE)

    # GP A (Hyères) is not offered a La Crau patient until it widens to neighbours.
    assert await desk.say(GP_A, "je peux prendre 3 nouveaux patients", NOW)
    assert offers_to(await desk.flush(NOW), GP_A) == []
    widened = NOW + timedelta(seconds=3600)
    await desk.tick(widened)
    offer = offers_to(await desk.flush(widened), GP_A)
    assert len(offer) == 1 and "La Crau" in offer[0].text and "Mme L." not in offer[0].text

    # A says no: the offer closes and A is not asked again for it.
    assert await desk.say(GP_A, "non", widened, reply_to=offer[0].event_id)
    assert "C'est noté, merci (demande n°1)" in to(await desk.flush(widened), GP_A)
    await desk.tick(widened + timedelta(seconds=1))
    assert offers_to(await desk.flush(widened), GP_A) == []

    # B declares room: offered; B does not answer; the offer lapses.
    assert await desk.say(GP_B, "j'ai 1 place", widened)
    assert len(offers_to(await desk.flush(widened), GP_B)) == 1
    lapsed = widened + timedelta(seconds=61)
    await desk.tick(lapsed)
    sent = await desk.flush(lapsed)
    edits = [s for s in sent if s.action == "edit"]
    assert any("proposition expirée" in s.text for s in edits)

    # Waiting longer than notify_coordination_after: the coordination room is told, once,
    # without identity.
    assert [s for s in sent if s.target == COORDINATION_ROOM] == []
    await desk.tick(NOW + timedelta(seconds=5000))
    await desk.tick(NOW + timedelta(seconds=5010))
    sent = await desk.flush(lapsed)
    coordination = [s.text for s in sent if s.target == COORDINATION_ROOM]
    assert len(coordination) == 1
    assert (
        "n°1 toujours en attente" in coordination[0]
        and "Médecins sollicités : 2, aucun n'a accepté" in coordination[0]
    )
    assert "Mme L." not in coordination[0]
    async with desk.database.transaction() as db:
        assert "Mme L." in await repo.private_text(db, 1), "kept until a GP accepts"
    await desk.database.close()


async def test_who_may_declare_and_see_the_list(tmp_path: Path) -> None:
    desk = await _desk(tmp_path)
    # Another profession's « je ne prends plus de nouveaux patients » is the card's.
    assert not await desk.say(NURSE, "je ne prends plus de nouveaux patients", NOW)
    assert await desk.say(NURSE, "je peux prendre 2 nouveaux patients", NOW)
    assert "Seuls les médecins" in to(await desk.flush(NOW), NURSE)
    assert await desk.say("@stranger:cpts.test", "je peux prendre 2 nouveaux patients", NOW)
    assert "pas dans l’annuaire" in to(await desk.flush(NOW), "@stranger:cpts.test")
    assert await desk.say(PHARMACIST, "patient sans médecin traitant, Hyères", NOW)
    assert "Quel âge a le patient ?" in to(await desk.flush(NOW), PHARMACIST)
    assert await desk.say(PHARMACIST, "patient sans médecin traitant 50 ans", NOW)
    assert "Dans quelle commune" in to(await desk.flush(NOW), PHARMACIST)
    assert await desk.say(PHARMACIST, "liste d'attente", NOW)
    assert "« liste d'attente » est réservé à la coordination" in to(
        await desk.flush(NOW), PHARMACIST
    )
    assert await desk.say(GP_A, "priorité blabla", NOW)
    assert "Priorité non comprise" in to(await desk.flush(NOW), GP_A)
    assert await desk.say(GP_A, "priorité ALD et plus de 70 ans", NOW)
    assert "ALD, personne âgée" in to(await desk.flush(NOW), GP_A)
    assert await desk.say(GP_A, "mes places", NOW)
    assert "pas de place déclarée" in to(await desk.flush(NOW), GP_A)
    assert await desk.say(COORDINATOR, "liste d'attente", NOW, room="!c", direct=False)
    sent = await desk.flush(NOW)
    assert [s.text for s in sent if s.target == "!c"] == ["Personne n'attend de médecin traitant."]
    await desk.database.close()


async def test_waiting_list_counts_and_long_waiting_priority_patients(tmp_path: Path) -> None:
    desk = await _desk(tmp_path)
    start = NOW - timedelta(days=45)
    for days, text in [
        (0, "patient sans médecin traitant, 82 ans, Hyères"),
        (10, "patient sans médecin traitant, 30 ans, C2S, La Crau"),
        (20, "patient sans médecin traitant, 40 ans, La Crau"),
        (40, "patient sans médecin traitant, 50 ans, sortie d'hospitalisation, Toulon"),
    ]:
        assert await desk.say(PHARMACIST, text, start + timedelta(days=days))
    assert await desk.say(COORDINATOR, "liste d'attente", NOW, room="!c", direct=False)
    text = next(s.text for s in await desk.flush(NOW) if s.target == "!c")
    assert text.startswith("4 patients en attente de médecin traitant (dont 3 prioritaires).")
    assert "Par commune : La Crau 2, Hyères 1, Toulon 1" in text
    assert "personne âgée 1" in text and "C2S 1" in text and "sans critère de priorité 1" in text
    assert "Attente : moins de 7 jours 1, 7 à 30 jours 1, plus de 30 jours 2" in text
    assert await desk.say(
        COORDINATOR,
        "patients prioritaires en attente depuis plus de 30 jours",
        NOW,
        room="!c",
        direct=False,
    )
    text = next(s.text for s in await desk.flush(NOW) if s.target == "!c")
    lines = text.splitlines()
    assert lines[0] == "2 patients prioritaires en attente depuis plus de 30 jours."
    assert lines[1].startswith("• n°1 : 80 ans et plus, Hyères, prioritaire : personne âgée — 45")
    assert lines[2].startswith("• n°2 : 18 à 39 ans, La Crau, prioritaire : C2S — 35")
    await desk.database.close()


async def test_private_text_of_a_waiting_request_is_kept_no_longer_than_retention(
    tmp_path: Path,
) -> None:
    desk = await _desk(tmp_path)
    assert await desk.say(PHARMACIST, SECOND, NOW)
    async with desk.database.transaction() as db:
        report = await apply_retention(db, NOW + timedelta(days=89), 90, apply=True)
        assert report.counts["medecin_traitant_private"] == 0
        assert "Durand" in await repo.private_text(db, 1)
    later = NOW + timedelta(days=91)
    async with desk.database.transaction() as db:
        report = await apply_retention(db, later, 90, apply=True)
        assert report.counts["medecin_traitant_private"] == 1
        assert await repo.private_text(db, 1) == ""
    assert await desk.say(GP_A, "je peux prendre 1 nouveau patient", later)
    assert await desk.say(GP_A, "ok", later)
    details = to(await desk.flush(later), GP_A)
    assert "Aucune coordonnée n'a été donnée" in details and "Durand" not in details
    await desk.database.close()


async def test_follow_ups_cancel_and_a_month_of_room_ending(tmp_path: Path) -> None:
    desk = await _desk(tmp_path)
    assert await desk.say(PHARMACIST, FIRST, NOW)
    registered = next(s for s in await desk.flush(NOW) if "enregistrée" in s.text)
    # Contact details in reply to the bot's answer, in the direct chat: kept privately.
    assert await desk.say(
        PHARMACIST, "Mme Martin 06 00 00 00 01", NOW, reply_to=registered.event_id
    )
    assert "le médecin qui acceptera la demande n°1" in to(await desk.flush(NOW), PHARMACIST)
    assert await desk.say(GP_A, "je peux prendre 2 nouveaux patients ce mois-ci", NOW)
    offer = offers_to(await desk.flush(NOW), GP_A)[0]
    assert await desk.say(GP_A, "👍", NOW, reply_to=offer.event_id)
    assert "Mme Martin 06 00 00 00 01" in to(await desk.flush(NOW), GP_A)
    # Once placed, more details go straight to the GP who accepted.
    assert await desk.say(PHARMACIST, "coordonnées 1 : préfère être appelée le matin", NOW)
    sent = await desk.flush(NOW)
    assert "Transmis au médecin" in to(sent, PHARMACIST)
    assert "complément de l'adresseur : préfère être appelée le matin" in to(sent, GP_A)
    assert await desk.say(GP_B, "coordonnées 1 : rien", NOW)
    assert "Vous n'avez pas de demande n°1" in to(await desk.flush(NOW), GP_B)

    # A second patient, offered to A, then cancelled by the pharmacist: the offer is marked,
    # the private text erased; someone else cannot cancel.
    assert await desk.say(PHARMACIST, SECOND, NOW)
    offer = offers_to(await desk.flush(NOW), GP_A)[0]
    assert await desk.say(GP_B, "annuler patient 2", NOW)
    assert "Vous n'avez pas de demande n°2" in to(await desk.flush(NOW), GP_B)
    assert await desk.say(PHARMACIST, "annuler patient 2", NOW)
    sent = await desk.flush(NOW)
    assert "Demande n°2 annulée." in to(sent, PHARMACIST)
    assert any(s.action == "edit" and "annulée" in s.text for s in sent)
    async with desk.database.transaction() as db:
        assert await repo.private_text(db, 2) == ""
    assert await desk.say(GP_A, "je prends", NOW, reply_to=offer.event_id)
    assert "n'est plus en attente" in to(await desk.flush(NOW), GP_A)

    # « ce mois-ci »: from the 1st the card no longer says « nouveaux patients ».
    assert await _modality(desk, GP_A) == (True, "1 place restante")
    december = datetime(2026, 12, 1, 0, 30, tzinfo=PARIS).astimezone(UTC)
    await desk.tick(december)
    assert await _modality(desk, GP_A) == (False, "")
    await desk.database.close()


async def test_a_card_edit_saying_no_new_patients_stops_the_room(tmp_path: Path) -> None:
    desk = await _desk(tmp_path)
    assert await desk.say(GP_A, "je peux prendre 2 nouveaux patients", NOW)
    assert await desk.say(PHARMACIST, FIRST, NOW)
    offer = offers_to(await desk.flush(NOW), GP_A)[0]
    later = NOW + timedelta(minutes=1)
    edit = message(
        COORDINATOR,
        f"fiche de {GP_A} : je ne prends plus de nouveaux patients",
        later,
        room="!c",
        is_direct=True,
    )
    async with desk.database.transaction() as db:
        context = context_for(db, desk.config, later, edit)
        assert await route_message(Routes.of(CardFeature()), edit, context)
    await desk.tick(later)
    await desk.tick(later + timedelta(seconds=5))
    assert await _modality(desk, GP_A) == (False, "")
    assert await desk.say(GP_A, "mes places", later)
    assert "pas de place déclarée" in to(await desk.flush(later), GP_A)
    assert await desk.say(GP_A, "je prends", later, reply_to=offer.event_id)
    assert "plus de place déclarée" in to(await desk.flush(later), GP_A)
    await desk.database.close()
