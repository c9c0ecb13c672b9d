"""The directory in SQLite: national data, CPTS cards, structures, the change log.

One method per query. Methods never open or commit a transaction: the caller (an
importer, a chat handler) owns it, so that an import or an edit is all-or-nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import aiosqlite

from cpts_bot.core.times import from_iso, to_iso
from cpts_bot.features.directory.card import Card, FieldChange, ModalityDeclaration, card_changes
from cpts_bot.features.directory.models import Modality, PracticeSite, Professional, Structure

SOURCE_RPPS = "rpps"
SOURCE_CPTS = "cpts"


@dataclass(frozen=True)
class NationalRecord:
    """A professional's national data (one professional of the extract, all its lines)."""

    key: str
    rpps: str | None
    title: str
    last_name: str
    first_name: str
    profession_code: str
    profession_label: str = ""
    specialties: tuple[tuple[str, str], ...] = ()
    sites: tuple[PracticeSite, ...] = ()

    def fingerprint(self) -> str:
        """A hash of every field, to tell an unchanged professional from an updated one."""
        data = [
            self.key,
            self.rpps,
            self.title,
            self.last_name,
            self.first_name,
            self.profession_code,
            self.profession_label,
            sorted(self.specialties),
            [list(vars(site).values()) for site in self.sites],
        ]
        return hashlib.sha1(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class KnownProfessional:
    """What an import needs to know of a stored professional."""

    key: str
    source: str
    active: bool
    national_hash: str | None

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> KnownProfessional:
        return cls(row["key"], row["source"], bool(row["active"]), row["national_hash"])


@dataclass(frozen=True)
class CardChangeEntry:
    """One row of the change log."""

    professional_key: str
    changed_by: str
    changed_at: datetime
    field: str
    old: str | None
    new: str | None

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> CardChangeEntry:
        return cls(
            row["professional_key"],
            row["changed_by"],
            from_iso(row["changed_at"]),
            row["field"],
            row["old_value"],
            row["new_value"],
        )


def _site_from_row(row: aiosqlite.Row, *, with_mode: bool = True) -> PracticeSite:
    """A practice site's columns (a structure's row has no mode of practice)."""
    return PracticeSite(
        commune_insee=row["commune_insee"],
        commune_name=row["commune_name"],
        postal_code=row["postal_code"],
        address=row["address"],
        phone=row["phone"],
        structure_name=row["structure_name"],
        mode=row["mode"] if with_mode else "",
    )


def _structure_from_row(row: aiosqlite.Row) -> Structure:
    return Structure(
        key=row["key"],
        name=row["name"],
        structure_type=row["structure_type"],
        site=_site_from_row(row, with_mode=False),
        offer=frozenset(json.loads(row["offer"])),
        activities=frozenset(json.loads(row["activities"])),
        matrix_id=row["matrix_id"],
        active=bool(row["active"]),
    )


class DirectoryRepository:
    """Queries over the directory tables, on the caller's connection and transaction."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db

    # --- national data -------------------------------------------------------------

    async def known_professionals(self) -> dict[str, KnownProfessional]:
        """Every stored professional (active or not), by key."""
        async with self.db.execute(
            "SELECT key, source, active, national_hash FROM directory_professionals"
        ) as cursor:
            return {row["key"]: KnownProfessional.from_row(row) for row in await cursor.fetchall()}

    async def upsert_national(
        self, records: Sequence[NationalRecord], source: str, now: datetime
    ) -> None:
        """Write (insert or replace) the national data of ``records`` and mark them active.

        Sites and specialties of the same ``source`` are replaced; the CPTS tables are not
        touched. A professional first added by the CPTS becomes ``rpps`` once the national
        extract lists it.
        """
        stamp = to_iso(now)
        await self.db.executemany(
            "INSERT INTO directory_professionals (key, rpps, title, last_name, first_name,"
            " profession_code, profession_label, source, active, national_hash, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET rpps = excluded.rpps, title = excluded.title,"
            " last_name = excluded.last_name, first_name = excluded.first_name,"
            " profession_code = excluded.profession_code,"
            " profession_label = excluded.profession_label,"
            " source = CASE WHEN excluded.source = 'rpps' THEN 'rpps' ELSE source END,"
            " active = 1, national_hash = excluded.national_hash,"
            " updated_at = excluded.updated_at",
            [
                (
                    r.key,
                    r.rpps,
                    r.title,
                    r.last_name,
                    r.first_name,
                    r.profession_code,
                    r.profession_label,
                    source,
                    r.fingerprint(),
                    stamp,
                    stamp,
                )
                for r in records
            ],
        )
        keys = [(r.key,) for r in records]
        await self.db.executemany(
            "DELETE FROM directory_specialties WHERE professional_key = ?", keys
        )
        await self.db.executemany(
            "DELETE FROM directory_sites WHERE professional_key = ? AND source = ?",
            [(r.key, source) for r in records],
        )
        await self.db.executemany(
            "INSERT OR IGNORE INTO directory_specialties (professional_key, code, label)"
            " VALUES (?, ?, ?)",
            [(r.key, code, label) for r in records for code, label in r.specialties],
        )
        await self.db.executemany(
            "INSERT INTO directory_sites (professional_key, source, position, structure_name,"
            " address, postal_code, commune_insee, commune_name, phone, mode)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r.key,
                    source,
                    position,
                    s.structure_name,
                    s.address,
                    s.postal_code,
                    s.commune_insee,
                    s.commune_name,
                    s.phone,
                    s.mode,
                )
                for r in records
                for position, s in enumerate(r.sites)
            ],
        )

    async def reactivate(self, keys: Iterable[str], now: datetime) -> None:
        """Mark ``keys`` active again (seen in the file, national data unchanged)."""
        await self.db.executemany(
            "UPDATE directory_professionals SET active = 1, updated_at = ? WHERE key = ?",
            [(to_iso(now), key) for key in keys],
        )

    async def mark_inactive(self, keys: Iterable[str], now: datetime) -> None:
        """Mark ``keys`` inactive (gone from the national file); their CPTS data is kept."""
        await self.db.executemany(
            "UPDATE directory_professionals SET active = 0, updated_at = ? WHERE key = ?",
            [(to_iso(now), key) for key in keys],
        )

    # --- reading professionals -----------------------------------------------------

    async def load_active_professionals(self) -> list[Professional]:
        """Every active professional with sites, specialties and CPTS data, by key."""
        return await self._load_professionals("p.active = 1", ())

    async def get_professional(self, key: str) -> Professional | None:
        """One professional (active or not), or None."""
        found = await self._load_professionals("p.key = ?", (key,))
        return found[0] if found else None

    async def get_professionals(self, keys: Sequence[str]) -> list[Professional]:
        """The professionals of ``keys`` (active or not), in that order, read together:
        a dispatch to a hundred reads them in the queries one would take."""
        if not keys:
            return []
        found = await self._load_professionals(
            "p.key IN (SELECT value FROM json_each(?))", (json.dumps(list(keys)),)
        )
        by_key = {professional.key: professional for professional in found}
        return [by_key[key] for key in keys if key in by_key]

    async def _load_professionals(
        self, where: str, parameters: tuple[str, ...]
    ) -> list[Professional]:
        join = f"JOIN directory_professionals p ON p.key = t.professional_key AND {where}"
        specialties = await self._grouped(
            f"SELECT t.professional_key, t.code FROM directory_specialties t {join}", parameters
        )
        activities = await self._grouped(
            f"SELECT t.professional_key, t.activity_code FROM directory_activities t {join}",
            parameters,
        )
        modalities = await self._grouped(
            f"SELECT t.professional_key, t.modality FROM directory_modalities t {join}"
            " WHERE t.available = 1",
            parameters,
        )
        languages = await self._grouped(
            f"SELECT t.professional_key, t.language FROM directory_languages t {join}", parameters
        )
        declared = await self._grouped(
            f"SELECT t.professional_key, t.words FROM directory_declared_activities t {join}"
            " ORDER BY t.professional_key, t.position",
            parameters,
        )
        cards: dict[str, aiosqlite.Row] = {}
        for row in await self.db.execute_fetchall(
            f"SELECT t.* FROM directory_cards t {join}", parameters
        ):
            cards[row["professional_key"]] = row
        sites: dict[str, dict[str, list[PracticeSite]]] = defaultdict(lambda: defaultdict(list))
        for row in await self.db.execute_fetchall(
            f"SELECT t.* FROM directory_sites t {join} ORDER BY t.professional_key, t.position",
            parameters,
        ):
            sites[row["professional_key"]][row["source"]].append(_site_from_row(row))
        result: list[Professional] = []
        for row in await self.db.execute_fetchall(
            f"SELECT * FROM directory_professionals p WHERE {where} ORDER BY p.key", parameters
        ):
            key = row["key"]
            card = cards.get(key)
            by_source = sites.get(key, {})
            # National sites win; the CPTS's own site is for those the extract lacks.
            own_sites = by_source.get(SOURCE_RPPS) or by_source.get(SOURCE_CPTS) or []
            phone = card["phone"] if card is not None else None
            if phone:
                own_sites = [replace(site, phone=phone) for site in own_sites]
            result.append(
                Professional(
                    key=key,
                    last_name=row["last_name"],
                    first_name=row["first_name"],
                    profession_code=row["profession_code"],
                    specialty_codes=frozenset(specialties.get(key, ())),
                    sites=tuple(own_sites),
                    activities=frozenset(activities.get(key, ())),
                    modalities=frozenset(Modality(m) for m in modalities.get(key, ())),
                    languages=frozenset(languages.get(key, ())),
                    matrix_id=card["matrix_id"] if card is not None else None,
                    active=bool(row["active"]),
                    title=row["title"],
                    declared_activities=tuple(declared.get(key, ())),
                )
            )
        return result

    async def _grouped(self, sql: str, parameters: tuple[str, ...]) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = defaultdict(list)
        for row in await self.db.execute_fetchall(sql, parameters):
            grouped[row[0]].append(row[1])
        return grouped

    async def profession_label(self, key: str) -> str:
        async with self.db.execute(
            "SELECT profession_label FROM directory_professionals WHERE key = ?", (key,)
        ) as cursor:
            row = await cursor.fetchone()
        return row[0] if row else ""

    async def keys_reachable_by_chat(
        self, profession_code: str, communes: Iterable[str] | None
    ) -> list[str]:
        """Active professionals of ``profession_code`` whose card gives a Matrix ID,
        practising in one of ``communes`` (anywhere when None), by key."""
        sql = (
            "SELECT DISTINCT p.key FROM directory_professionals p"
            " JOIN directory_cards c ON c.professional_key = p.key AND c.matrix_id IS NOT NULL"
        )
        parameters: list[str] = []
        if communes is not None:
            codes = sorted(set(communes))
            if not codes:
                return []
            marks = ",".join("?" for _ in codes)
            sql += (
                " JOIN directory_sites s ON s.professional_key = p.key"
                f" AND s.commune_insee IN ({marks})"
            )
            parameters.extend(codes)
        sql += " WHERE p.active = 1 AND p.profession_code = ? ORDER BY p.key"
        parameters.append(profession_code)
        async with self.db.execute(sql, parameters) as cursor:
            return [row[0] for row in await cursor.fetchall()]

    async def find_key_by_matrix_id(self, matrix_id: str) -> str | None:
        """The key of the professional whose card holds ``matrix_id``, or None."""
        rows = list(
            await self.db.execute_fetchall(
                "SELECT professional_key FROM directory_cards WHERE matrix_id = ?", (matrix_id,)
            )
        )
        return rows[0][0] if rows else None

    async def profession_code_by_matrix_id(self, matrix_id: str) -> str | None:
        """The profession code of the professional whose card holds ``matrix_id`` (one
        query, not the whole card: what the tracking table needs), or None."""
        rows = list(
            await self.db.execute_fetchall(
                "SELECT p.profession_code FROM directory_cards c"
                " JOIN directory_professionals p ON p.key = c.professional_key"
                " WHERE c.matrix_id = ?",
                (matrix_id,),
            )
        )
        return rows[0][0] if rows else None

    async def find_by_matrix_id(self, matrix_id: str) -> Professional | None:
        """The professional whose card holds ``matrix_id``, or None."""
        key = await self.find_key_by_matrix_id(matrix_id)
        return await self.get_professional(key) if key else None

    async def find_keys_by_name(self, last_name: str, first_name: str | None = None) -> list[str]:
        """Keys of active professionals with this last name (and first name), case-insensitive."""
        sql = (
            "SELECT key FROM directory_professionals WHERE active = 1"
            " AND last_name = ? COLLATE NOCASE"
        )
        parameters: tuple[str, ...] = (last_name,)
        if first_name:
            sql += " AND first_name = ? COLLATE NOCASE"
            parameters += (first_name,)
        async with self.db.execute(sql + " ORDER BY key", parameters) as cursor:
            return [row[0] for row in await cursor.fetchall()]

    async def exists(self, key: str) -> bool:
        async with self.db.execute(
            "SELECT 1 FROM directory_professionals WHERE key = ?", (key,)
        ) as cursor:
            return await cursor.fetchone() is not None

    # --- CPTS data -----------------------------------------------------------------

    async def load_card(self, key: str) -> Card:
        """The CPTS data of ``key`` (an empty card when there is none)."""
        phone = matrix_id = None
        async with self.db.execute(
            "SELECT phone, matrix_id FROM directory_cards WHERE professional_key = ?", (key,)
        ) as cursor:
            row = await cursor.fetchone()
            if row is not None:
                phone, matrix_id = row["phone"], row["matrix_id"]
        async with self.db.execute(
            "SELECT activity_code, label FROM directory_activities WHERE professional_key = ?",
            (key,),
        ) as cursor:
            activities = {row[0]: row[1] for row in await cursor.fetchall()}
        async with self.db.execute(
            "SELECT modality, available, note FROM directory_modalities WHERE professional_key = ?",
            (key,),
        ) as cursor:
            modalities = {
                Modality(row[0]): ModalityDeclaration(bool(row[1]), row[2])
                for row in await cursor.fetchall()
            }
        async with self.db.execute(
            "SELECT language FROM directory_languages WHERE professional_key = ?", (key,)
        ) as cursor:
            languages = frozenset(row[0] for row in await cursor.fetchall())
        async with self.db.execute(
            "SELECT words FROM directory_declared_activities WHERE professional_key = ?"
            " ORDER BY position",
            (key,),
        ) as cursor:
            declared = tuple(row[0] for row in await cursor.fetchall())
        return Card(phone, matrix_id, activities, modalities, languages, declared)

    async def save_card(
        self, key: str, new: Card, changed_by: str, now: datetime, old: Card | None = None
    ) -> list[FieldChange]:
        """Store ``new`` as the card of ``key``, log each changed field; return the changes.

        ``old``: the card as just loaded in the same transaction (not read again)."""
        old = old if old is not None else await self.load_card(key)
        changes = card_changes(old, new)
        if not changes:
            return []
        stamp = to_iso(now)
        await self.db.execute(
            "INSERT INTO directory_cards (professional_key, phone, matrix_id, updated_at,"
            " updated_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (professional_key) DO UPDATE SET"
            " phone = excluded.phone, matrix_id = excluded.matrix_id,"
            " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            (key, new.phone, new.matrix_id, stamp, changed_by),
        )
        for code in set(old.activities) - set(new.activities):
            await self.db.execute(
                "DELETE FROM directory_activities WHERE professional_key = ? AND activity_code = ?",
                (key, code),
            )
        await self.db.executemany(
            "INSERT INTO directory_activities (professional_key, activity_code, label, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (professional_key, activity_code) DO UPDATE SET"
            " label = excluded.label,"
            " updated_at = excluded.updated_at",
            [
                (key, code, label, stamp)
                for code, label in new.activities.items()
                if old.activities.get(code) != label
            ],
        )
        for modality in set(old.modalities) - set(new.modalities):
            await self.db.execute(
                "DELETE FROM directory_modalities WHERE professional_key = ? AND modality = ?",
                (key, modality.value),
            )
        await self.db.executemany(
            "INSERT INTO directory_modalities (professional_key, modality, available, note,"
            " updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (professional_key, modality)"
            " DO UPDATE SET"
            " available = excluded.available, note = excluded.note,"
            " updated_at = excluded.updated_at",
            [
                (key, m.value, int(d.available), d.note, stamp)
                for m, d in new.modalities.items()
                if old.modalities.get(m) != d
            ],
        )
        await self.db.executemany(
            "DELETE FROM directory_languages WHERE professional_key = ? AND language = ?",
            [(key, language) for language in old.languages - new.languages],
        )
        await self.db.executemany(
            "INSERT INTO directory_languages (professional_key, language) VALUES (?, ?)",
            [(key, language) for language in new.languages - old.languages],
        )
        await self._save_declared(key, old.declared, new.declared, stamp)
        await self.db.executemany(
            "INSERT INTO directory_card_changes (professional_key, changed_by, changed_at,"
            " field, old_value, new_value) VALUES (?, ?, ?, ?, ?, ?)",
            [(key, changed_by, stamp, c.field, c.old, c.new) for c in changes],
        )
        return changes

    async def _save_declared(
        self, key: str, old: tuple[str, ...], new: tuple[str, ...], stamp: str
    ) -> None:
        if old == new:
            return
        await self.db.execute(
            "DELETE FROM directory_declared_activities WHERE professional_key = ?", (key,)
        )
        await self.db.executemany(
            "INSERT OR IGNORE INTO directory_declared_activities (professional_key, position,"
            " words, updated_at) VALUES (?, ?, ?, ?)",
            [(key, position, words, stamp) for position, words in enumerate(new)],
        )

    async def card_history(self, key: str) -> list[CardChangeEntry]:
        """The change log of ``key``, oldest first."""
        async with self.db.execute(
            "SELECT * FROM directory_card_changes WHERE professional_key = ? ORDER BY id", (key,)
        ) as cursor:
            return [CardChangeEntry.from_row(row) for row in await cursor.fetchall()]

    async def directory_version(self) -> str:
        """A value that changes whenever the directory does (imports, card edits).

        Cheap enough to poll, so that an in-memory index can tell it is stale after an
        import run from the command line while the bot is running.
        """
        async with self.db.execute(
            "SELECT (SELECT count(*) || '/' || coalesce(max(updated_at), '')"
            " FROM directory_professionals) || '/' ||"
            " (SELECT count(*) || '/' || coalesce(max(updated_at), '') FROM directory_structures)"
            " || '/' || (SELECT coalesce(max(id), 0) FROM directory_card_changes)"
        ) as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row else ""

    # --- structures ----------------------------------------------------------------

    async def upsert_structure(self, structure: Structure, now: datetime) -> str:
        """Insert or update ``structure``; return ``"new"``, ``"updated"`` or ``"kept"``."""
        async with self.db.execute(
            "SELECT * FROM directory_structures WHERE key = ?", (structure.key,)
        ) as cursor:
            row = await cursor.fetchone()
        if row is not None and _structure_from_row(row) == structure:
            return "kept"
        site, stamp = structure.site, to_iso(now)
        await self.db.execute(
            "INSERT INTO directory_structures (key, structure_type, name, structure_name,"
            " address, postal_code, commune_insee, commune_name, phone, offer, activities,"
            " matrix_id, active, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET structure_type = excluded.structure_type,"
            " name = excluded.name, structure_name = excluded.structure_name,"
            " address = excluded.address, postal_code = excluded.postal_code,"
            " commune_insee = excluded.commune_insee, commune_name = excluded.commune_name,"
            " phone = excluded.phone, offer = excluded.offer, activities = excluded.activities,"
            " matrix_id = excluded.matrix_id, active = excluded.active,"
            " updated_at = excluded.updated_at",
            (
                structure.key,
                structure.structure_type,
                structure.name,
                site.structure_name,
                site.address,
                site.postal_code,
                site.commune_insee,
                site.commune_name,
                site.phone,
                json.dumps(sorted(structure.offer), ensure_ascii=False),
                json.dumps(sorted(structure.activities), ensure_ascii=False),
                structure.matrix_id,
                int(structure.active),
                stamp,
                stamp,
            ),
        )
        return "new" if row is None else "updated"

    async def load_active_structures(self) -> list[Structure]:
        """Every active structure, by key."""
        async with self.db.execute(
            "SELECT * FROM directory_structures WHERE active = 1 ORDER BY key"
        ) as cursor:
            return [_structure_from_row(row) for row in await cursor.fetchall()]
