"""Senders' trust: both policies, pinning, identity changes and confirmation, over SQLite."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from nio import AsyncClient, MatrixRoom
from nio.crypto import OlmDevice, OutboundGroupSession

from cpts_bot.chat.command_dispatch import run_declared
from cpts_bot.chat.commands import CommandRegistry
from cpts_bot.core.messages import KIND_MESSAGE, KIND_REACTION, IncomingMessage
from cpts_bot.features.trust.chat import TRUST_COMMANDS
from cpts_bot.i18n import Translator
from cpts_bot.matrix.cross_signing import UserIdentity
from cpts_bot.matrix.sender_trust import (
    NOTICES,
    NoticeContext,
    SenderTrustGate,
    TrustReason,
    decide,
    decide_clear_event,
    identity_update,
    notice_text,
)
from cpts_bot.matrix.signed_json import (
    SigningKey,
    build_master_key,
    build_self_signing_key,
    sign_json,
)
from cpts_bot.services.context import Context
from cpts_bot.settings import RoomsConfig, TrustPolicy
from cpts_bot.storage import pinned_identities as pins
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter
from cpts_bot.storage.pinned_identities import PinnedIdentity
from tests.unit.nio_store_support import stored_client

ALICE = "@alice:example.org"
COORD = "@coord:example.org"
BOT = "@bot:example.org"
ROOM = "!room:example.org"
COORD_ROOM = "!coord:example.org"
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
CSO = TrustPolicy.CROSS_SIGNED_ONLY
TOFU = TrustPolicy.TRUST_ON_FIRST_USE


class Account:
    """A user's keys: a master and self-signing key, and devices (signed or not)."""

    def __init__(self, user_id: str, cross_signing: bool = True) -> None:
        self.user_id = user_id
        self.master = SigningKey.generate() if cross_signing else None
        self.ssk = SigningKey.generate() if cross_signing else None
        self.devices: dict[str, dict] = {}

    def add_device(self, device_id: str, signed: bool) -> None:
        key = SigningKey.generate()
        obj = {
            "user_id": self.user_id,
            "device_id": device_id,
            "algorithms": ["m.megolm.v1.aes-sha2"],
            "keys": {f"ed25519:{device_id}": key.public_key},
        }
        obj = sign_json(obj, self.user_id, key, key_id=f"ed25519:{device_id}")
        if signed:
            assert self.ssk is not None
            obj = sign_json(obj, self.user_id, self.ssk)
        self.devices[device_id] = obj

    def reset_identity(self) -> None:
        self.master, self.ssk = SigningKey.generate(), SigningKey.generate()

    def identity(self) -> UserIdentity:
        if self.master is None or self.ssk is None:
            return UserIdentity(self.user_id, devices=dict(self.devices))
        return UserIdentity(
            self.user_id,
            build_master_key(self.user_id, self.master),
            build_self_signing_key(self.user_id, self.ssk, self.master),
            dict(self.devices),
        )


def _pinned(key: str, pending: str | None = None) -> pins.PinnedIdentity:
    return pins.PinnedIdentity(ALICE, key, NOW, pending_master_key=pending)


@pytest.mark.parametrize("policy", [CSO, TOFU])
def test_cross_signed_device_trusted_under_both_policies(policy: TrustPolicy) -> None:
    alice = Account(ALICE)
    alice.add_device("PHONE", signed=True)
    assert decide(policy, alice.identity(), "PHONE", None).reason is TrustReason.CROSS_SIGNED
    master = alice.identity().master_public_key
    assert decide(policy, alice.identity(), "PHONE", _pinned(master)).trusted


def test_unsigned_device_depends_on_policy() -> None:
    alice = Account(ALICE)
    alice.add_device("OLD", signed=False)
    refused = decide(CSO, alice.identity(), "OLD", None)
    assert refused.reason is TrustReason.UNSIGNED_DEVICE and not refused.trusted
    assert decide(TOFU, alice.identity(), "OLD", None).trusted
    assert decide(TOFU, alice.identity(), "OLD", None).reason is TrustReason.FIRST_USE


def test_signature_checked_not_just_present() -> None:
    alice = Account(ALICE)
    alice.add_device("PHONE", signed=True)
    identity = alice.identity()
    forged = json.loads(json.dumps(identity.devices["PHONE"]))
    sig_key = next(k for k in forged["signatures"][ALICE] if k != "ed25519:PHONE")
    forged["signatures"][ALICE][sig_key] = forged["signatures"][ALICE]["ed25519:PHONE"]
    tampered = UserIdentity(
        ALICE, identity.master_key, identity.self_signing_key, {"PHONE": forged}
    )
    assert decide(CSO, tampered, "PHONE", None).reason is TrustReason.UNSIGNED_DEVICE


def test_no_identity_and_unknown_device() -> None:
    bob = Account(ALICE, cross_signing=False)
    bob.add_device("D", signed=False)
    assert decide(CSO, bob.identity(), "D", None).reason is TrustReason.NO_IDENTITY
    assert decide(TOFU, bob.identity(), "D", None).trusted
    assert decide(TOFU, bob.identity(), "OTHER", None).reason is TrustReason.UNKNOWN_DEVICE
    assert decide(CSO, bob.identity(), None, None).reason is TrustReason.UNKNOWN_DEVICE


@pytest.mark.parametrize("policy", [CSO, TOFU])
def test_changed_master_key_untrusted_until_pinned_again(policy: TrustPolicy) -> None:
    alice = Account(ALICE)
    alice.add_device("PHONE", signed=True)
    old = alice.identity().master_public_key
    alice.reset_identity()
    alice.add_device("PHONE", signed=True)
    identity = alice.identity()
    decision = decide(policy, identity, "PHONE", _pinned(old))
    assert decision.reason is TrustReason.IDENTITY_CHANGED and not decision.trusted
    assert identity_update(identity, _pinned(old)).changed_key == identity.master_public_key
    assert identity_update(identity, None).pin == identity.master_public_key
    assert identity_update(
        identity, _pinned(identity.master_public_key, pending="x")
    ).back_to_pinned


# --- the gate over a real SQLite ---------------------------------------------------------


def _config(coordination: str | None = COORD_ROOM) -> RoomsConfig:
    return RoomsConfig.model_validate(
        {
            "territory": {"name": "T", "communes": [{"insee": "69001", "name": "A"}]},
            "coordinators": [COORD],
            "rooms": {"coordination": coordination} if coordination else {},
        }
    )


@pytest.fixture
async def database(tmp_path: Path):
    db = await Database.open(tmp_path / "bot.sqlite")
    yield db
    await db.close()


class Directory:
    """The homeserver's keys/query, as the gate sees it."""

    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}
        self.queries = 0

    async def fetch(self, client: object, user_ids: list[str]) -> dict[str, UserIdentity]:
        self.queries += 1
        return {u: self.accounts[u].identity() for u in user_ids}


CLIENT = SimpleNamespace(device_id="BOTDEV", user_id=BOT, olm=None)


async def _outbox(database: Database) -> list[tuple[str, str]]:
    rows = await database.fetch_all("SELECT target, payload FROM outbox ORDER BY id")
    return [(row["target"], json.loads(row["payload"])["text"]) for row in rows]


async def test_gate_pins_tells_once_and_warns_coordinators(database: Database) -> None:
    directory = Directory()
    alice = Account(ALICE)
    alice.add_device("PHONE", signed=True)
    alice.add_device("OLD", signed=False)
    directory.accounts[ALICE] = alice
    gate = SenderTrustGate(database, CSO, _config(), BOT, fetch_identities=directory.fetch)

    trusted = await gate.check(CLIENT, ALICE, "PHONE", room_id=ROOM, event_id="$1", now=NOW)
    assert trusted.trusted
    async with database.transaction() as db:
        pinned = await pins.get_pinned(db, ALICE)
    assert pinned is not None and pinned.master_key == alice.identity().master_public_key

    for event in ("$2", "$3"):
        refused = await gate.check(CLIENT, ALICE, "OLD", room_id=ROOM, event_id=event, now=NOW)
        assert refused.reason is TrustReason.UNSIGNED_DEVICE
    sent = await _outbox(database)
    assert len(sent) == 1  # told once, in French by default
    # In the sender's direct chat, never in the (possibly shared) room of the event.
    assert sent[0][0] == ALICE and "OLD" in sent[0][1] and "n'est pas vérifiée" in sent[0][1]
    assert sent[0][1].startswith("Votre message de 09:00 n'a pas été lu.")

    # The identity changes: untrusted, coordinators warned once.
    alice.reset_identity()
    alice.add_device("PHONE", signed=True)
    gate.forget([ALICE])
    later = NOW + timedelta(minutes=1)
    for event in ("$4", "$5"):
        changed = await gate.check(CLIENT, ALICE, "PHONE", room_id=ROOM, event_id=event, now=later)
        assert changed.reason is TrustReason.IDENTITY_CHANGED
    sent = await _outbox(database)
    warnings = [text for target, text in sent if target == COORD_ROOM]
    assert len(warnings) == 1 and f"confiance {ALICE}" in warnings[0]
    assert sum(1 for target, _ in sent if target == ALICE) == 2  # one more notice: new reason
    assert not any(target == ROOM for target, _ in sent)

    # A reaction sent in clear by a user whose identity changed is not believed either.
    clear = await gate.check_clear(ALICE, KIND_REACTION, event_id="$r", now=later)
    assert clear.reason is TrustReason.IDENTITY_CHANGED and not clear.trusted

    # A coordinator confirms through the chat feature: trusted again.
    replies = await _run_feature(database, COORD, f"confiance {ALICE}", later)
    assert "confirmée" in replies[-1]
    again = await gate.check(CLIENT, ALICE, "PHONE", room_id=ROOM, event_id="$6", now=later)
    assert again.trusted
    assert (await gate.check_clear(ALICE, KIND_REACTION, event_id="$r2", now=later)).trusted


async def test_only_reactions_are_believed_in_clear(database: Database) -> None:
    """Element's library sends m.reaction unencrypted in encrypted rooms: believed (the
    homeserver vouches for the sender, no patient data); any other clear event is not,
    and nothing is sent about it."""
    gate = SenderTrustGate(database, CSO, _config(), BOT, fetch_identities=Directory().fetch)
    reaction = await gate.check_clear(ALICE, KIND_REACTION, event_id="$1", now=NOW)
    assert reaction.trusted and reaction.reason is TrustReason.CLEAR_REACTION
    message = await gate.check_clear(ALICE, KIND_MESSAGE, event_id="$2", now=NOW)
    assert not message.trusted and message.reason is TrustReason.NOT_ENCRYPTED
    assert await _outbox(database) == []


def test_clear_event_decision_is_pure() -> None:
    assert decide_clear_event(KIND_REACTION, None).trusted
    changed = PinnedIdentity(ALICE, "old", NOW, pending_master_key="new")
    assert decide_clear_event(KIND_REACTION, changed).reason is TrustReason.IDENTITY_CHANGED
    assert decide_clear_event(KIND_MESSAGE, None).reason is TrustReason.NOT_ENCRYPTED


def test_notice_names_a_reaction_as_a_reaction() -> None:
    text = notice_text(
        Translator("fr"),
        NOTICES[TrustReason.UNKNOWN_DEVICE],
        None,
        NoticeContext.of(KIND_REACTION, NOW, "👍"),
    )
    assert text.startswith("Votre réaction 👍 de 09:00 n'a pas été prise en compte.")
    assert "?" not in text and "message" not in text.lower()


async def test_gate_rechecks_a_device_signed_after_caching(database: Database) -> None:
    directory = Directory()
    alice = Account(ALICE)
    alice.add_device("NEW", signed=False)
    directory.accounts[ALICE] = alice
    gate = SenderTrustGate(database, CSO, _config(), BOT, fetch_identities=directory.fetch)
    first = await gate.check(CLIENT, ALICE, "NEW", room_id=ROOM, event_id="$1", now=NOW)
    assert not first.trusted
    alice.add_device("NEW", signed=True)  # the user verifies the session
    soon = await gate.check(
        CLIENT, ALICE, "NEW", room_id=ROOM, event_id="$2", now=NOW + timedelta(seconds=2)
    )
    assert not soon.trusted and directory.queries == 1  # cached, no storm of queries
    later = await gate.check(
        CLIENT, ALICE, "NEW", room_id=ROOM, event_id="$3", now=NOW + timedelta(seconds=30)
    )
    assert later.trusted and directory.queries == 2


async def test_key_back_to_pinned_clears_pending(database: Database) -> None:
    directory = Directory()
    alice = Account(ALICE)
    alice.add_device("PHONE", signed=True)
    directory.accounts[ALICE] = alice
    gate = SenderTrustGate(database, CSO, _config(None), BOT, fetch_identities=directory.fetch)
    await gate.check(CLIENT, ALICE, "PHONE", room_id=ROOM, event_id="$1", now=NOW)
    original = (alice.master, alice.ssk, dict(alice.devices))
    alice.reset_identity()
    alice.add_device("PHONE", signed=True)
    gate.forget([ALICE])
    await gate.check(CLIENT, ALICE, "PHONE", room_id=ROOM, event_id="$2", now=NOW)
    alice.master, alice.ssk, alice.devices = original
    gate.forget([ALICE])
    assert (await gate.check(CLIENT, ALICE, "PHONE", room_id=ROOM, event_id="$3", now=NOW)).trusted
    async with database.transaction() as db:
        assert await pins.list_pending(db) == []
    assert await _outbox(database) != []  # the notice of $2 (no coordination room: no warning)


async def _run_feature(database: Database, sender: str, body: str, now: datetime) -> list[str]:
    registry = CommandRegistry(TRUST_COMMANDS)
    message = IncomingMessage(
        event_id="$cmd" + body, room_id=COORD_ROOM, sender=sender, body=body, timestamp=now
    )
    async with database.transaction() as db:
        outbox = OutboxWriter(db, now, reply_to_event=message.event_id, reply_room=COORD_ROOM)
        context = Context(
            db=db,
            now=now,
            outbox=outbox,
            config=_config(),
            translator=Translator("fr"),
            bot_user_id=BOT,
        )
        assert await run_declared(registry, message, context)
    return [text for _, text in await _outbox(database)]


async def test_trust_feature_commands(database: Database) -> None:
    replies = await _run_feature(database, ALICE, f"confiance {COORD}", NOW)
    assert "réservé à la coordination" in replies[-1]
    replies = await _run_feature(database, COORD, "confiance", NOW)
    assert "Aucun changement" in replies[-1]
    replies = await _run_feature(database, COORD, "confiance alice", NOW)
    assert "n'est pas un identifiant Matrix" in replies[-1]
    replies = await _run_feature(database, COORD, f"confiance {ALICE}", NOW)
    assert "Rien à confirmer" in replies[-1]
    async with database.transaction() as db:
        await pins.pin(db, ALICE, "OLDKEY", NOW)
        assert await pins.record_change(db, ALICE, "NEWKEYNEWKEY", NOW)
        assert not await pins.record_change(db, ALICE, "NEWKEYNEWKEY", NOW)
    replies = await _run_feature(database, COORD, "Confiance", NOW)
    assert ALICE in replies[-2] or ALICE in replies[-1]
    assert "NEWK EYNE WKEY" in "\n".join(replies)
    replies = await _run_feature(database, COORD, f"confiance {ALICE}", NOW)
    assert "confirmée" in replies[-1]
    async with database.transaction() as db:
        pinned = await pins.get_pinned(db, ALICE)
    assert pinned is not None and pinned.master_key == "NEWKEYNEWKEY"
    assert pinned.confirmed_by == COORD and pinned.pending_master_key is None
    message = IncomingMessage(
        event_id="$x", room_id=ROOM, sender=COORD, body="confiant ?", timestamp=NOW
    )
    async with database.transaction() as db:
        context = Context(
            db=db,
            now=NOW,
            outbox=OutboxWriter(db, NOW),
            config=_config(),
            translator=Translator("fr"),
            bot_user_id=BOT,
        )
        assert not await run_declared(CommandRegistry(TRUST_COMMANDS), message, context)


async def test_a_pinned_identity_is_read_again_only_after_a_write_or_a_rollback(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each message's check reads the sender's pinned identity: once, then from memory
    until a pinned identity is written (or a transaction undone) in this process."""
    directory = Directory()
    alice = Account(ALICE)
    alice.add_device("PHONE", signed=True)
    directory.accounts[ALICE] = alice
    gate = SenderTrustGate(database, CSO, _config(), BOT, fetch_identities=directory.fetch)
    reads: list[str] = []
    read_pinned = pins.read_pinned

    async def counted(db: Database, user_id: str) -> pins.PinnedIdentity | None:
        reads.append(user_id)
        return await read_pinned(db, user_id)

    monkeypatch.setattr(pins, "read_pinned", counted)
    for number in range(4):
        event = f"${number}"
        assert (
            await gate.check(CLIENT, ALICE, "PHONE", room_id=ROOM, event_id=event, now=NOW)
        ).trusted
    assert len(reads) == 2  # before and after the first sight pinned the key
    async with database.transaction() as db:
        assert await pins.record_change(db, ALICE, "NEWKEYNEWKEY", NOW)
    await gate.check(CLIENT, ALICE, "PHONE", room_id=ROOM, event_id="$5", now=NOW)
    assert len(reads) == 3
    with pytest.raises(RuntimeError):
        async with database.transaction() as db:
            await db.execute("DELETE FROM pinned_identities")
            raise RuntimeError("undone")
    await gate.check(CLIENT, ALICE, "PHONE", room_id=ROOM, event_id="$6", now=NOW)
    assert len(reads) == 4


async def test_a_device_marked_again_keeps_the_room_key_and_one_line(
    database: Database, tmp_path: Path
) -> None:
    """nio's default trust store takes every verification as a change: each refresh of a
    person's identity used to drop the room key of each of their rooms (a new key shared
    at the next message, a dispatch slowed) and add a line to the trust file."""
    directory = Directory()
    alice = Account(ALICE)
    alice.add_device("PHONE", signed=True)
    directory.accounts[ALICE] = alice
    gate = SenderTrustGate(database, CSO, _config(), BOT, fetch_identities=directory.fetch)
    client = stored_client(tmp_path, BOT, AsyncClient)
    assert client.olm is not None
    phone_key = alice.devices["PHONE"]["keys"]["ed25519:PHONE"]
    client.device_store.add(
        OlmDevice(ALICE, "PHONE", {"ed25519": phone_key, "curve25519": "curve"})
    )
    room = MatrixRoom(ROOM, BOT, encrypted=True)
    room.add_member(ALICE, "Alice", None)
    client.rooms[ROOM] = room
    await gate.apply_device_trust(client, [ALICE], NOW)
    [device] = client.device_store.active_user_devices(ALICE)
    assert device.verified
    session = OutboundGroupSession()
    session.shared = True
    client.olm.outbound_group_sessions[ROOM] = session
    later = NOW + gate.refresh_after + timedelta(seconds=1)  # the identity fetched again
    await gate.apply_device_trust(client, [ALICE], later)
    assert directory.queries == 2
    assert client.olm.outbound_group_sessions.get(ROOM) is session
    assert len([line for line in _trust_file(tmp_path) if line.startswith(f"{ALICE} PHONE ")]) == 1
    await client.close()


def _trust_file(store: Path) -> list[str]:
    return next(store.glob("*.trusted_devices")).read_text().splitlines()
