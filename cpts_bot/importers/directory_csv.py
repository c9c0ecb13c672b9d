"""Import the CPTS's own directory file (``docs/directory-csv.md`` lists the columns).

Rows are keyed by RPPS number, or by an id of the CPTS's own for professionals outside
the register and for structures. A row adds what the national register lacks
(activities, modalities, languages, Matrix ID, phone) and, for those the register does
not list, the identity and the site. Columns present in the header replace the stored
value (an empty cell clears it); absent columns leave the stored values alone.

A bad row is reported with its line number and every problem it has, and skipped; the
other rows are written in one transaction, so a failure half-way leaves the directory as
it was. A file with a header and no row is refused.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from cpts_bot.core.concepts import ConceptKind
from cpts_bot.core.errors import InputFileError
from cpts_bot.core.places.commune_codes import commune_code_problem, commune_name_problem
from cpts_bot.core.vocabulary_loader import Vocabulary, load_vocabulary
from cpts_bot.features.directory.card import Card, ModalityDeclaration, normalize_phone
from cpts_bot.features.directory.declared_words import DeclaredWordsReader
from cpts_bot.features.directory.models import Modality, PracticeSite, Structure
from cpts_bot.features.directory.repository import (
    SOURCE_CPTS,
    SOURCE_RPPS,
    DirectoryRepository,
    KnownProfessional,
    NationalRecord,
)
from cpts_bot.importers.import_outcome import RowError, RowProblems
from cpts_bot.importers.shrink_guard import DEFAULT_MAX_SHRINK, refuse_large_shrink
from cpts_bot.settings import INSEE_CODE, MATRIX_USER_ID, POSTAL_CODE
from cpts_bot.storage.database import Database

COLUMNS = (
    "kind",
    "rpps",
    "id",
    "title",
    "last_name",
    "first_name",
    "profession_code",
    "profession_label",
    "specialties",
    "structure_type",
    "name",
    "offer",
    "address",
    "postal_code",
    "commune_insee",
    "commune_name",
    "structure_name",
    "phone",
    "activities",
    "modalities",
    "languages",
    "matrix_id",
    "active",
)
CARD_COLUMNS = ("phone", "matrix_id", "activities", "modalities", "languages")
RPPS_NUMBER = re.compile(r"^8?(\d{11})$")
OWN_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
CODE = re.compile(r"^[a-z0-9_]{1,64}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
PROFESSION_CODE = re.compile(r"^\d{2}$")
YES = {"", "1", "oui", "yes", "true", "o", "y", "vrai"}
NO = {"0", "non", "no", "false", "n", "faux"}


class DirectoryCsvError(InputFileError):
    """The file cannot be imported at all (not UTF-8, bad header); the message says why."""


@dataclass(frozen=True)
class RejectedRow:
    """A row that was skipped, with its line number in the file (the header is line 1)."""

    line_number: int
    reason: str


@dataclass(frozen=True)
class ProfessionalRow:
    """A professional's row, validated."""

    line_number: int
    key: str
    rpps: str | None
    identity: NationalRecord | None
    card_fields: dict[str, object]
    active: bool


@dataclass(frozen=True)
class StructureRow:
    line_number: int
    structure: Structure


@dataclass
class DirectoryCsvSummary:
    """What an import did."""

    rows: int = 0
    professionals_new: int = 0
    professionals_updated: int = 0
    cards_changed: int = 0
    field_changes: int = 0
    structures_new: int = 0
    structures_updated: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    unlinked: dict[str, int] = field(default_factory=dict)  # declared words -> rows

    def lines(self) -> list[str]:
        text = [
            f"rows read: {self.rows}",
            f"professionals added: {self.professionals_new}",
            f"professionals updated: {self.professionals_updated}",
            f"cards changed: {self.cards_changed} ({self.field_changes} fields)",
            f"structures added: {self.structures_new}",
            f"structures updated: {self.structures_updated}",
            f"rejected rows: {len(self.rejected)}",
        ]
        text += [f"  line {r.line_number}: {r.reason}" for r in self.rejected]
        if self.unlinked:
            text.append(
                f"declared words linked to no vocabulary concept: {len(self.unlinked)}"
                " (kept and searchable as written; add synonyms in the CPTS vocabulary file)"
            )
            ranked = sorted(self.unlinked.items(), key=lambda item: (-item[1], item[0].lower()))
            text += [f"  {count:>4}  {words}" for words, count in ranked]
        return text


def parse_modalities(text: str) -> dict[Modality, ModalityDeclaration]:
    """``home_visits: le mardi; teleconsultation; -new_patients`` -> declarations."""
    result: dict[Modality, ModalityDeclaration] = {}
    for item in _split_list(text):
        available = not item.startswith("-")
        name, _, note = item.lstrip("-").partition(":")
        code = name.strip().lower().replace(" ", "_").replace("-", "_")
        try:
            modality = Modality(code)
        except ValueError:
            known = ", ".join(m.value for m in Modality)
            raise RowError(f"unknown modality {name.strip()!r} (known: {known})") from None
        if not available and note.strip():
            raise RowError(f"a note on a refused modality makes no sense: {item!r}")
        result[modality] = ModalityDeclaration(available, note.strip())
    return result


def _split_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(";") if item.strip()]


def _codes(text: str, column: str, pattern: re.Pattern[str] = CODE) -> list[str]:
    codes = [item.lower() for item in _split_list(text)]
    bad = [code for code in codes if not pattern.match(code)]
    if bad:
        listed = ", ".join(repr(code) for code in bad)
        verb = "is not a code" if len(bad) == 1 else "are not codes"
        raise RowError(f"{column}: {listed} {verb} (lower-case letters, digits, _)")
    return codes


def _key(row: dict[str, str]) -> tuple[str, str | None]:
    rpps, own = row.get("rpps", ""), row.get("id", "").lower()
    if rpps and own:
        raise RowError("give either rpps or id, not both")
    if rpps:
        match = RPPS_NUMBER.match(rpps.replace(" ", ""))
        if not match:
            raise RowError(f"rpps: {rpps!r} is not an RPPS number (11 digits)")
        return "8" + match.group(1), match.group(1)
    if own:
        if not OWN_ID.match(own):
            raise RowError(f"id: {own!r} must be letters, digits, '.', '-' or '_' (no spaces)")
        return "cpts:" + own, None
    raise RowError("no rpps and no id: every row needs one of them")


def _site(row: dict[str, str], problems: RowProblems) -> PracticeSite | None:
    """The row's site (None without commune_insee); its problems go to ``problems``."""
    insee = row.get("commune_insee", "")
    if not insee:
        return None
    if not INSEE_CODE.match(insee):
        problems.add(f"commune_insee: {insee!r} is not an INSEE code (5 characters, e.g. 69388)")
    elif (problem := commune_code_problem(insee)) is not None:
        problems.add(f"commune_insee: {problem}")
    elif (problem := commune_name_problem(insee, row.get("commune_name", ""))) is not None:
        problems.add(f"commune_insee: {problem}")
    postal = row.get("postal_code", "")
    if postal and not POSTAL_CODE.match(postal):
        problems.add(f"postal_code: {postal!r} is not a postal code (5 digits)")
    phone = problems.check(lambda: _phone(row.get("phone", "")), None)
    return PracticeSite(
        commune_insee=insee,
        commune_name=row.get("commune_name", ""),
        postal_code=postal,
        address=row.get("address", ""),
        phone=phone or "",
        structure_name=row.get("structure_name", ""),
    )


def _phone(text: str) -> str | None:
    if not text:
        return None
    phone = normalize_phone(text)
    if phone is None:
        raise RowError(f"phone: {text!r} is not a French phone number (e.g. 04 78 00 00 00)")
    return phone


def _matrix_id(text: str) -> str | None:
    if not text:
        return None
    if not MATRIX_USER_ID.match(text):
        raise RowError(f"matrix_id: {text!r} is not a Matrix ID such as @name:example.org")
    return text


def _active(text: str) -> bool:
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise RowError(f"active: {text!r} must be 1 or 0 (oui/non)")


def _parse_professional(
    line_number: int,
    row: dict[str, str],
    present: set[str],
    activity_codes: Collection[str] | None,
    words: DeclaredWordsReader | None = None,
) -> ProfessionalRow:
    """Check every column of a professional's row; raise one RowError listing them all."""
    problems = RowProblems()
    key, rpps = problems.check(lambda: _key(row), ("", None))
    site = _site(row, problems)
    identity = _identity(row, key, rpps, site, problems)
    if words is not None:
        fields = _card_fields(row, present, None, problems, declared=False)
        fields.update(_declared_fields(row, present, words))
    else:
        fields = _card_fields(row, present, activity_codes, problems)
    active = problems.check(lambda: _active(row.get("active", "")), True)
    problems.raise_if_any()
    return ProfessionalRow(line_number, key, rpps, identity, fields, active)


def _identity(
    row: dict[str, str],
    key: str,
    rpps: str | None,
    site: PracticeSite | None,
    problems: RowProblems,
) -> NationalRecord | None:
    """The identity given by the row (for those the register does not list), if any."""
    if not (row.get("last_name") or row.get("profession_code") or site is not None):
        if key and rpps is None:
            problems.add(
                "a professional outside the register needs last_name, profession_code"
                " and commune_insee"
            )
        return None
    missing = [
        name for name in ("last_name", "profession_code", "commune_insee") if not row.get(name)
    ]
    if missing:
        problems.add("identity incomplete, missing: " + ", ".join(missing))
    code = row.get("profession_code", "")
    if code and not PROFESSION_CODE.match(code):
        problems.add(
            f"profession_code: {code!r} is not a profession"
            " code (2 digits, e.g. 10 médecin, 60 infirmier)"
        )
    elif code and code not in _profession_codes():
        problems.add(
            f"profession_code: {code!r} is not a profession the bot knows"
            f" (known: {', '.join(sorted(_profession_codes()))})"
        )
    if problems or site is None:
        return None
    return NationalRecord(
        key=key,
        rpps=rpps,
        title=row.get("title", ""),
        last_name=row["last_name"],
        first_name=row.get("first_name", ""),
        profession_code=code,
        profession_label=row.get("profession_label", ""),
        specialties=tuple((code, "") for code in _split_list(row.get("specialties", ""))),
        sites=(replace(site, phone=""),),
    )


def _profession_codes() -> frozenset[str]:
    """The profession codes (TRE_G15) of the shipped vocabulary."""
    return frozenset(concept.code for concept in load_vocabulary().of_kind(ConceptKind.PROFESSION))


def _card_fields(
    row: dict[str, str],
    present: set[str],
    activity_codes: Collection[str] | None,
    problems: RowProblems,
    declared: bool = True,
) -> dict[str, object]:
    """The card columns present in the header, checked; problems go to ``problems``.

    ``declared=False``: only phone and Matrix ID (the words are read elsewhere).
    """
    fields: dict[str, object] = {}
    if "phone" in present:
        fields["phone"] = problems.check(lambda: _phone(row.get("phone", "")), None)
    if "matrix_id" in present:
        fields["matrix_id"] = problems.check(lambda: _matrix_id(row.get("matrix_id", "")), None)
    if not declared:
        return fields
    if "activities" in present:
        codes = problems.check(lambda: _codes(row.get("activities", ""), "activities"), [])
        if activity_codes is not None:
            unknown = [code for code in codes if code not in activity_codes]
            if unknown:
                problems.add(
                    "activities: unknown code "
                    + ", ".join(unknown)
                    + " (the codes are listed in cpts_bot/core/vocabulary/activities.yaml)"
                )
        fields["activities"] = codes
    if "modalities" in present:
        fields["modalities"] = problems.check(
            lambda: parse_modalities(row.get("modalities", "")), {}
        )
    if "languages" in present:
        fields["languages"] = problems.check(
            lambda: _codes(row.get("languages", ""), "languages", LANGUAGE), []
        )
    return fields


def _declared_fields(
    row: dict[str, str], present: set[str], reader: DeclaredWordsReader
) -> dict[str, object]:
    """Activities, modalities and languages in the words people write, or as codes."""
    fields: dict[str, object] = {}
    declared: list[str] = []
    if "activities" in present:
        codes: list[str] = []
        for item in _split_list(row.get("activities", "")):
            code = reader.activity_code(item)
            if code is not None:
                codes.append(code)
            if (code is None or "_" not in code) and item not in declared:
                declared.append(item)  # a word ("vaccination") is also kept as written
        fields["activities"] = codes
    if "modalities" in present:
        modalities: dict[Modality, ModalityDeclaration] = {}
        for item in _split_list(row.get("modalities", "")):
            declaration = reader.modality(item)
            if declaration is None:
                declared.append(item)  # "le mercredi": kept as said, and searchable
            else:
                modalities[declaration[0]] = declaration[1]
        fields["modalities"] = modalities
    if "languages" in present:
        fields["languages"] = [
            reader.language(item) for item in _split_list(row.get("languages", ""))
        ]
    if "activities" in present or "modalities" in present:
        fields["declared"] = tuple(declared)
    return fields


def _parse_structure(line_number: int, row: dict[str, str]) -> StructureRow:
    """Check every column of a structure's row; raise one RowError listing them all."""
    problems = RowProblems()
    key, rpps = problems.check(lambda: _key(row), ("", None))
    if rpps is not None:
        problems.add("a structure is keyed by id, not rpps")
    missing = [name for name in ("name", "structure_type", "commune_insee") if not row.get(name)]
    if missing:
        problems.add("structure incomplete, missing: " + ", ".join(missing))
    site = _site(row, problems)
    structure_type = row.get("structure_type", "").lower()
    if structure_type and not CODE.match(structure_type):
        problems.add(f"structure_type: {structure_type!r} is not a code (e.g. ehpad, dac, cmp)")
    activities = problems.check(lambda: _codes(row.get("activities", ""), "activities"), [])
    matrix_id = problems.check(lambda: _matrix_id(row.get("matrix_id", "")), None)
    active = problems.check(lambda: _active(row.get("active", "")), True)
    problems.raise_if_any()
    assert site is not None
    return StructureRow(
        line_number,
        Structure(
            key=key,
            name=row["name"],
            structure_type=structure_type,
            site=site,
            offer=frozenset(_split_list(row.get("offer", ""))),
            activities=frozenset(activities),
            matrix_id=matrix_id,
            active=active,
        ),
    )


def parse_directory_csv(
    text: str,
    activity_codes: Collection[str] | None = None,
    vocabulary: Vocabulary | None = None,
) -> tuple[list[ProfessionalRow | StructureRow], list[RejectedRow]]:
    """Validate every row of the file ``text``; return the good rows and the rejected ones.

    With ``vocabulary``, activities, modalities and languages may be written in words
    ("plaies complexes", "domicile", "anglais") as well as codes, and no activity is
    refused; without it, only codes are accepted (``activity_codes`` when given).
    Raises :class:`DirectoryCsvError` when the header itself is unusable.
    """
    words = DeclaredWordsReader(vocabulary) if vocabulary is not None else None
    lines = text.splitlines(keepends=True)
    if not lines or not lines[0].strip():
        raise DirectoryCsvError("the file is empty (a header line is expected)")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower().replace(" ", "_") for name in next(reader)]
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        raise DirectoryCsvError(
            "unknown column(s) in the header: "
            + ", ".join(unknown)
            + " (known: "
            + ", ".join(COLUMNS)
            + ")"
        )
    if "rpps" not in header and "id" not in header:
        raise DirectoryCsvError("the header needs an rpps or an id column")
    _refuse_truncated(lines, len(header), delimiter)
    present = set(header)
    rows: list[ProfessionalRow | StructureRow] = []
    rejected: list[RejectedRow] = []
    seen: dict[str, int] = {}
    matrix_ids: dict[str, int] = {}
    previous_end = reader.line_num
    for values in reader:
        line_number, previous_end = previous_end + 1, reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            rejected.append(
                RejectedRow(line_number, f"{len(values)} cells where the header has {len(header)}")
            )
            continue
        row = {name: value.strip() for name, value in zip(header, values, strict=True) if name}
        try:
            kind = row.get("kind", "").lower() or "professional"
            if kind == "professional":
                parsed: ProfessionalRow | StructureRow = _parse_professional(
                    line_number, row, present, activity_codes, words
                )
                key = parsed.key
                matrix_id = parsed.card_fields.get("matrix_id")
            elif kind == "structure":
                parsed = _parse_structure(line_number, row)
                key, matrix_id = parsed.structure.key, parsed.structure.matrix_id
            else:
                raise RowError(f"kind: {kind!r} must be professional or structure")
            if key in seen:
                raise RowError(f"{key} already given on line {seen[key]}")
            if isinstance(matrix_id, str) and matrix_id in matrix_ids:
                raise RowError(
                    f"matrix_id {matrix_id} already given on line {matrix_ids[matrix_id]}"
                )
        except RowError as error:
            rejected.append(RejectedRow(line_number, str(error)))
            continue
        seen[key] = line_number
        if isinstance(matrix_id, str):
            matrix_ids[matrix_id] = line_number
        rows.append(parsed)
    return rows, rejected


def _refuse_truncated(lines: list[str], cells: int, delimiter: str) -> None:
    """Raise :class:`DirectoryCsvError` when the file ends mid-line: its last line has no
    line end and fewer cells than the header (an interrupted copy or download)."""
    last = lines[-1]
    if len(lines) < 2 or last.endswith(("\n", "\r")) or not last.strip():
        return
    found = len(next(csv.reader([last], delimiter=delimiter), []))
    if found < cells:
        raise DirectoryCsvError(
            f"the file is truncated: its last line ({len(lines)}) ends mid-line"
            f" ({found} cells where the header has {cells}); nothing was imported"
        )


def _updated_card(card: Card, fields: dict[str, object]) -> Card:
    changes: dict[str, object] = {}
    if "phone" in fields:
        changes["phone"] = fields["phone"]
    if "matrix_id" in fields:
        changes["matrix_id"] = fields["matrix_id"]
    if "activities" in fields:
        codes = fields["activities"]
        assert isinstance(codes, list)
        changes["activities"] = {code: card.activities.get(code, "") for code in codes}
    if "modalities" in fields:
        changes["modalities"] = fields["modalities"]
    if "languages" in fields:
        languages = fields["languages"]
        assert isinstance(languages, list)
        changes["languages"] = frozenset(languages)
    if "declared" in fields:
        changes["declared"] = fields["declared"]
    return replace(card, **changes)  # type: ignore[arg-type]


async def import_directory_csv(
    database: Database,
    path: Path,
    now: datetime,
    changed_by: str | None = None,
    activity_codes: Collection[str] | None = None,
    vocabulary: Vocabulary | None = None,
    max_shrink: float | None = DEFAULT_MAX_SHRINK,
) -> DirectoryCsvSummary:
    """Import the CPTS directory file at ``path`` in one transaction.

    ``max_shrink``: the largest share of the directory's active professionals the file
    may mark inactive (``active`` 0), None for no limit.
    """
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8-sig")
    except FileNotFoundError:
        raise DirectoryCsvError(f"{path}: file not found") from None
    except UnicodeDecodeError as error:
        raise DirectoryCsvError(
            f"{path}: not UTF-8 text (byte {error.start}); save it as 'CSV UTF-8'"
        ) from None
    rows, rejected = parse_directory_csv(text, activity_codes, vocabulary)
    if not rows and not rejected:
        raise DirectoryCsvError(f"{path}: no row after the header, nothing to import")
    summary = DirectoryCsvSummary(rows=len(rows) + len(rejected), rejected=rejected)
    if vocabulary is not None:
        summary.unlinked = DeclaredWordsReader(vocabulary).unlinked(
            row.card_fields.get("declared", ()) for row in rows if isinstance(row, ProfessionalRow)
        )
    author = changed_by or f"import:{path.name}"
    async with database.transaction() as connection:
        repository = DirectoryRepository(connection)
        known = await repository.known_professionals()
        refuse_large_shrink(
            sum(1 for row in rows if _deactivates(row, known)),
            sum(1 for item in known.values() if item.active),
            max_shrink,
            f"{path.name} marks them inactive (active 0)",
        )
        for row in rows:
            if isinstance(row, StructureRow):
                outcome = await repository.upsert_structure(row.structure, now)
                summary.structures_new += outcome == "new"
                summary.structures_updated += outcome == "updated"
                continue
            problem = await _write_professional(repository, row, known, author, now, summary)
            if problem:
                summary.rejected.append(RejectedRow(row.line_number, problem))
    summary.rejected.sort(key=lambda r: r.line_number)
    return summary


def _deactivates(row: ProfessionalRow | StructureRow, known: dict[str, KnownProfessional]) -> bool:
    """Whether ``row`` marks an active professional inactive."""
    if not isinstance(row, ProfessionalRow) or row.active:
        return False
    previous = known.get(row.key)
    return previous is not None and previous.active


async def _write_professional(
    repository: DirectoryRepository,
    row: ProfessionalRow,
    known: dict[str, KnownProfessional],
    author: str,
    now: datetime,
    summary: DirectoryCsvSummary,
) -> str:
    """Write one professional's row; return a problem (row skipped) or ""."""
    previous = known.get(row.key)
    matrix_id = row.card_fields.get("matrix_id")
    if isinstance(matrix_id, str):
        owner = await repository.find_key_by_matrix_id(matrix_id)
        if owner is not None and owner != row.key:
            return f"matrix_id {matrix_id} already belongs to {owner}"
    if previous is None and row.identity is None:
        if any(item.source == SOURCE_RPPS for item in known.values()):
            return (
                f"RPPS {row.rpps} is not in the imported national extract for the territory"
                " (stale row: moved away, retired, or a typo); row ignored"
            )
        return (
            f"RPPS {row.rpps} is not in the directory yet: import the national extract"
            " first, or give last_name, profession_code and commune_insee"
        )
    # National data wins over the CPTS's copy of it.
    if row.identity is not None and (previous is None or previous.source != SOURCE_RPPS):
        if previous is None:
            summary.professionals_new += 1
        elif previous.national_hash != row.identity.fingerprint() or (
            previous.active != row.active
        ):
            summary.professionals_updated += 1
        await repository.upsert_national([row.identity], SOURCE_CPTS, now)
        if not row.active:
            await repository.mark_inactive([row.key], now)
    card = await repository.load_card(row.key)
    changes = await repository.save_card(
        row.key, _updated_card(card, row.card_fields), author, now, old=card
    )
    if changes:
        summary.cards_changed += 1
        summary.field_changes += len(changes)
    return ""
