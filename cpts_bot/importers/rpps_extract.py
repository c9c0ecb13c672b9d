"""Import the national extract (``PS_LibreAcces_Personne_activite_*.txt``) for the territory.

The file is about 2 million lines for the whole country. It is streamed line by line as
bytes; a line is decoded and split only when it contains one of the territory's commune
codes between two ``|`` (a cheap regular-expression test), so the many lines of other
territories cost almost nothing. The whole file is read before the database is touched,
then everything is written in one transaction: a failure leaves the directory as it was.

Re-importing is idempotent: unchanged professionals are kept as they are, changed ones
updated, those gone from the file marked inactive (never deleted), and the CPTS's own
data (activities, modalities, languages, Matrix ID, phone) is never touched.
"""

from __future__ import annotations

import asyncio
import re
import sys
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import IO

from cpts_bot.features.directory.card import normalize_phone
from cpts_bot.features.directory.models import PracticeSite
from cpts_bot.features.directory.repository import (
    SOURCE_RPPS,
    DirectoryRepository,
    NationalRecord,
)
from cpts_bot.importers.extract_columns import (
    SAVOIR_FAIRE_COLUMNS,
    ColumnMap,
    ExtractFormatError,
    map_columns,
)
from cpts_bot.importers.shrink_guard import DEFAULT_MAX_SHRINK, refuse_large_shrink
from cpts_bot.storage.database import Database

MEMBER_NAME = re.compile(r"PS_LibreAcces_Personne_activite.*\.txt$", re.IGNORECASE)
SAVOIR_FAIRE_NAME = re.compile(r"PS_LibreAcces_SavoirFaire.*\.txt$", re.IGNORECASE)
NATIONAL_ID = re.compile(r"^[0-9A-Za-z]{6,20}$")
PROGRESS_EVERY = 1 << 16
TITLES = {"DR": "Dr", "PR": "Pr", "DOCTEUR": "Dr", "PROFESSEUR": "Pr"}
ZIP_SIGNATURE = b"PK\x03\x04"


@dataclass(frozen=True)
class RejectedLine:
    """A line that could not be read, with its number in the file (the header is line 1)."""

    line_number: int
    reason: str


@dataclass
class ExtractScan:
    """What a pass over the file found for the territory."""

    records: dict[str, NationalRecord] = field(default_factory=dict)
    lines_read: int = 0
    lines_in_territory: int = 0
    rejected: list[RejectedLine] = field(default_factory=list)
    outside_part: int = 0  # lines of a commune covered in part, in a code not covered


@dataclass
class RppsImportSummary:
    """The outcome of an import, for the operator."""

    lines_read: int
    lines_in_territory: int
    professionals_in_file: int
    new: int
    updated: int
    kept: int
    reactivated: int
    marked_inactive: int
    rejected: list[RejectedLine]
    outside_part: int = 0  # lines in a postal code of a commune the CPTS does not cover

    def lines(self) -> list[str]:
        """A human-readable summary, one fact a line."""
        text = [
            f"lines read: {self.lines_read}",
            f"lines of the territory: {self.lines_in_territory}",
            *(
                [f"lines outside the covered postal codes of a commune: {self.outside_part}"]
                if self.outside_part
                else []
            ),
            f"professionals in the file for the territory: {self.professionals_in_file}",
            f"new: {self.new}",
            f"updated: {self.updated}",
            f"kept (unchanged): {self.kept}",
            f"reactivated: {self.reactivated}",
            f"marked inactive (gone from the file): {self.marked_inactive}",
            f"rejected lines: {len(self.rejected)}",
        ]
        text += [f"  line {r.line_number}: {r.reason}" for r in self.rejected[:50]]
        if len(self.rejected) > 50:
            text.append(f"  ... and {len(self.rejected) - 50} more")
        return text


def _looks_like_zip(path: Path) -> bool:
    """Named .zip, or starting as a zip does: what is then unreadable is a corrupt zip."""
    with path.open("rb") as handle:
        return path.suffix.lower() == ".zip" or handle.read(4) == ZIP_SIGNATURE


@contextmanager
def corrupt_zip_is_an_error(path: Path) -> Iterator[None]:
    """Turn the errors of reading a damaged zip into one clear :class:`ExtractFormatError`."""
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise ExtractFormatError(
            f"{path}: corrupt zip file ({error}); download the extract again"
        ) from None


@contextmanager
def open_extract(path: Path) -> Iterator[tuple[IO[bytes], int]]:
    """Open the extract (a ``.zip`` holding it, or the ``.txt``) as bytes, with its size."""
    if not path.exists():
        raise ExtractFormatError(f"{path}: file not found")
    if not zipfile.is_zipfile(path) and _looks_like_zip(path):
        raise ExtractFormatError(
            f"{path}: corrupt zip file (its table of contents is unreadable, a truncated"
            " download?); download the extract again"
        )
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            chosen = [info for info in members if MEMBER_NAME.search(info.filename)]
            if not chosen:
                chosen = [info for info in members if info.filename.lower().endswith(".txt")]
            if len(chosen) != 1:
                names = ", ".join(info.filename for info in members) or "nothing"
                raise ExtractFormatError(
                    f"{path}: expected one PS_LibreAcces_Personne_activite_*.txt in the zip,"
                    f" found {names}"
                )
            with archive.open(chosen[0]) as handle:
                yield handle, chosen[0].file_size
    else:
        with path.open("rb") as handle:
            yield handle, path.stat().st_size


@contextmanager
def open_savoir_faire(path: Path) -> Iterator[IO[bytes] | None]:
    """The savoir-faire file of a newer extraction: ``path`` itself (a .txt), or the member
    of the zip ``path`` holding it; None when the zip has none."""
    if not path.exists():
        raise ExtractFormatError(f"{path}: file not found")
    if not zipfile.is_zipfile(path):
        if _looks_like_zip(path):
            raise ExtractFormatError(
                f"{path}: corrupt zip file (its table of contents is unreadable)"
            )
        with path.open("rb") as handle:
            yield handle
        return
    with zipfile.ZipFile(path) as archive:
        chosen = [info for info in archive.infolist() if SAVOIR_FAIRE_NAME.search(info.filename)]
        if not chosen:
            yield None
            return
        with archive.open(chosen[0]) as handle:
            yield handle


def scan_savoir_faire(
    lines: Iterable[bytes], keys: Collection[str]
) -> tuple[dict[str, dict[str, str]], list[RejectedLine]]:
    """Read a savoir-faire file: specialties (code -> label) of the professionals ``keys``.

    A line is split in full only when its national id is one of ``keys``.
    """
    iterator = iter(lines)
    header_line = next(iterator, None)
    if header_line is None:
        raise ExtractFormatError("the savoir-faire file is empty")
    header = header_line.decode("utf-8-sig", "replace").rstrip("\r\n").split("|")
    columns = map_columns(header, SAVOIR_FAIRE_COLUMNS)
    id_index = columns["national_id"]
    assert id_index is not None
    wanted = {key.encode() for key in keys}
    found: dict[str, dict[str, str]] = {}
    rejected: list[RejectedLine] = []
    for number, raw in enumerate(iterator, start=2):
        parts = raw.split(b"|", id_index + 1)
        if len(parts) <= id_index or parts[id_index].strip() not in wanted:
            continue
        try:
            values = raw.decode("utf-8").rstrip("\r\n").split("|")
        except UnicodeDecodeError as error:
            rejected.append(
                RejectedLine(number, f"savoir-faire file: not UTF-8 text (byte {error.start})")
            )
            continue
        if len(values) not in (columns.field_count, columns.field_count - 1):
            rejected.append(
                RejectedLine(
                    number,
                    f"savoir-faire file: {len(values)} fields "
                    f"where the header has {columns.field_count}",
                )
            )
            continue
        code = _value(values, columns, "specialty_code")
        if code:
            found.setdefault(values[id_index].strip(), {}).setdefault(
                code, _value(values, columns, "specialty_label")
            )
    return found, rejected


def territory_filter(communes: Iterable[str]) -> re.Pattern[bytes]:
    """A pattern that finds ``|<code>|`` for any of the ``communes`` INSEE codes."""
    codes = sorted({code.strip() for code in communes if code.strip()})
    if not codes:
        raise ValueError("the territory has no commune")
    alternatives = b"|".join(re.escape(code.encode()) for code in codes)
    return re.compile(rb"\|(?:" + alternatives + rb")\|")


def scan_extract(
    lines: Iterable[bytes],
    communes: Iterable[str],
    progress: Callable[[int], None] | None = None,
    parts: Mapping[str, frozenset[str]] | None = None,
) -> ExtractScan:
    """Read the extract's ``lines`` (bytes, header first) and keep the territory's.

    ``progress`` is called now and then with the number of lines read so far;
    ``parts`` gives, for a commune the territory covers in part, the postal codes kept.
    Raises :class:`ExtractFormatError` when the header is unusable; a bad line is
    recorded in ``rejected`` and skipped.
    """
    commune_set = frozenset(communes)
    prefilter = territory_filter(commune_set)
    iterator = iter(lines)
    scan = ExtractScan()
    header_line = next(iterator, None)
    if header_line is None:
        raise ExtractFormatError("the file is empty")
    try:
        header = header_line.decode("utf-8-sig").rstrip("\r\n").split("|")
    except UnicodeDecodeError:
        raise ExtractFormatError("the header line is not UTF-8 text") from None
    columns = map_columns(header)
    commune_index = columns["commune_code"]
    assert commune_index is not None
    builders: dict[str, _Builder] = {}
    search = prefilter.search
    number, raw = 1, header_line
    for number, raw in enumerate(iterator, start=2):
        if number % PROGRESS_EVERY == 0 and progress is not None:
            progress(number)
        if search(raw) is None:
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            scan.rejected.append(RejectedLine(number, f"not UTF-8 text (byte {error.start})"))
            continue
        values = text.rstrip("\r\n").split("|")
        if len(values) not in (columns.field_count, columns.field_count - 1):
            # A commune code elsewhere in a malformed line: report it only if it is ours.
            scan.rejected.append(
                RejectedLine(
                    number, f"{len(values)} fields where the header has {columns.field_count}"
                )
            )
            continue
        if values[commune_index] not in commune_set:
            continue
        if _outside_part(values, columns, parts):
            scan.outside_part += 1
            continue
        scan.lines_in_territory += 1
        problem = _add_line(builders, values, columns)
        if problem:
            scan.rejected.append(RejectedLine(number, problem))
    if number > 1:
        _refuse_truncated(raw, number, columns.field_count)
    scan.lines_read = number - 1
    scan.records = {key: builder.build() for key, builder in builders.items()}
    return scan


def _outside_part(
    values: list[str], columns: ColumnMap, parts: Mapping[str, frozenset[str]] | None
) -> bool:
    """A line of a commune covered in part whose postal code is not covered."""
    if not parts:
        return False
    kept = parts.get(values[columns["commune_code"]])  # type: ignore[index]
    return kept is not None and _value(values, columns, "postal_code") not in kept


class ExtractTruncatedError(ExtractFormatError):
    """The file ends mid-line: an interrupted download or copy."""


def _refuse_truncated(last: bytes, number: int, field_count: int) -> None:
    """Raise :class:`ExtractTruncatedError` when the last line has no line end and not
    the header's fields (every complete line ends with ``|`` and a line end)."""
    if last.endswith(b"\n"):
        return
    fields = len(last.rstrip(b"\r").split(b"|"))
    if fields not in (field_count, field_count - 1):
        raise ExtractTruncatedError(
            f"the file is truncated: its last line ({number}) ends mid-line ({fields} fields"
            f" where the header has {field_count}); download the extract again"
        )


@dataclass
class _Builder:
    """A professional being assembled from its lines."""

    record: NationalRecord
    sites: list[PracticeSite] = field(default_factory=list)
    specialties: dict[str, str] = field(default_factory=dict)

    def build(self) -> NationalRecord:
        return NationalRecord(
            key=self.record.key,
            rpps=self.record.rpps,
            title=self.record.title,
            last_name=self.record.last_name,
            first_name=self.record.first_name,
            profession_code=self.record.profession_code,
            profession_label=self.record.profession_label,
            specialties=tuple(sorted(self.specialties.items())),
            sites=tuple(self.sites),
        )


def _value(values: list[str], columns: ColumnMap, name: str) -> str:
    index = columns[name]
    return values[index].strip() if index is not None else ""


def _add_line(builders: dict[str, _Builder], values: list[str], columns: ColumnMap) -> str:
    """Fold one line into its professional; return its problems (all of them, joined by
    "; "), or "" when it is fine."""
    problems = []
    national_id = _value(values, columns, "national_id")
    if not national_id:
        problems.append("empty 'Identification nationale PP'")
    elif not NATIONAL_ID.match(national_id):
        problems.append(f"'Identification nationale PP' is not an identifier: {national_id!r}")
    last_name = _value(values, columns, "last_name")
    if not last_name:
        problems.append("empty 'Nom d'exercice'")
    profession_code = _value(values, columns, "profession_code")
    if not profession_code:
        problems.append("empty 'Code profession'")
    if problems:
        return "; ".join(problems)
    builder = builders.get(national_id)
    if builder is None:
        id_type = _value(values, columns, "id_type")
        is_rpps = id_type == "8" or (
            not id_type and national_id.startswith("8") and len(national_id) == 12
        )
        title = TITLES.get(_value(values, columns, "title_code").upper()) or TITLES.get(
            _value(values, columns, "title_label").upper(), ""
        )
        builder = _Builder(
            NationalRecord(
                key=national_id,
                rpps=national_id[1:] if is_rpps else None,
                title=title,
                last_name=last_name,
                first_name=_value(values, columns, "first_name"),
                profession_code=profession_code,
                profession_label=_value(values, columns, "profession_label"),
            )
        )
        builders[national_id] = builder
    specialty = _value(values, columns, "specialty_code")
    if specialty:
        builder.specialties.setdefault(specialty, _value(values, columns, "specialty_label"))
    site = _site(values, columns)
    if site not in builder.sites:
        builder.sites.append(site)
    return ""


def _site(values: list[str], columns: ColumnMap) -> PracticeSite:
    street_type = _value(values, columns, "street_type") or _value(
        values, columns, "street_type_code"
    )
    number = " ".join(
        part
        for part in (
            _value(values, columns, "street_number"),
            _value(values, columns, "street_repeat"),
        )
        if part
    )
    address = " ".join(
        part for part in (number, street_type, _value(values, columns, "street")) if part
    )
    locality = _value(values, columns, "locality")
    if locality:
        address = f"{address}, {locality}" if address else locality
    return PracticeSite(
        commune_insee=_value(values, columns, "commune_code"),
        commune_name=_value(values, columns, "commune_name"),
        postal_code=_value(values, columns, "postal_code"),
        address=address,
        phone=_phone(_value(values, columns, "phone") or _value(values, columns, "phone2")),
        structure_name=(
            _value(values, columns, "trade_name") or _value(values, columns, "company_name")
        ),
        mode=_value(values, columns, "mode").upper(),
    )


def _phone(raw: str) -> str:
    return normalize_phone(raw) or raw if raw else ""


def read_extract(
    path: Path,
    communes: Iterable[str],
    show_progress: bool = False,
    savoir_faire: Path | None = None,
    parts: Mapping[str, frozenset[str]] | None = None,
) -> ExtractScan:
    """Stream the extract at ``path`` (zip or txt) and keep the territory's professionals.

    Specialties come from the activity lines, and also from the separate savoir-faire
    file of newer extractions: ``savoir_faire``, or the one inside the zip ``path``.
    """
    with corrupt_zip_is_an_error(path):
        scan = _read_activities(path, communes, show_progress, parts)
    source = savoir_faire or path
    if scan.records and (savoir_faire is not None or zipfile.is_zipfile(path)):
        with corrupt_zip_is_an_error(source), open_savoir_faire(source) as handle:
            if handle is not None:
                specialties, rejected = scan_savoir_faire(handle, scan.records.keys())
                scan.rejected.extend(rejected)
                for key, extra in specialties.items():
                    record = scan.records[key]
                    merged = dict(record.specialties)
                    for code, label in extra.items():
                        merged.setdefault(code, label)
                    scan.records[key] = replace(record, specialties=tuple(sorted(merged.items())))
    return scan


def _read_activities(
    path: Path,
    communes: Iterable[str],
    show_progress: bool,
    parts: Mapping[str, frozenset[str]] | None = None,
) -> ExtractScan:
    with open_extract(path) as (handle, size):
        if not show_progress:
            return scan_extract(handle, communes, None, parts)
        from tqdm import tqdm

        with tqdm(
            total=size,
            unit="B",
            unit_scale=True,
            desc="national extract",
            file=sys.stderr,
            leave=False,
        ) as bar:
            last = 0

            def advance(_line_number: int) -> None:
                nonlocal last
                position = handle.tell()
                bar.update(position - last)
                last = position

            scan = scan_extract(handle, communes, advance, parts)
            bar.update(size - last)
            return scan


class TerritoryNotFoundError(ExtractFormatError):
    """The file has no line for the territory: importing it would empty the directory."""


async def import_rpps_extract(
    database: Database,
    path: Path,
    communes: Iterable[str],
    now: datetime,
    show_progress: bool = False,
    savoir_faire: Path | None = None,
    max_shrink: float | None = DEFAULT_MAX_SHRINK,
    parts: Mapping[str, frozenset[str]] | None = None,
) -> RppsImportSummary:
    """Import the national extract at ``path`` for ``communes``, in one transaction.

    ``savoir_faire``: the separate savoir-faire file of newer extractions, when it is
    not inside the zip ``path``. ``max_shrink``: the largest share of the directory's
    active professionals the import may mark inactive (None: no limit). ``parts``: for a
    commune the territory covers in part, the postal codes kept.
    """
    codes = list(communes)
    scan = await asyncio.to_thread(read_extract, path, codes, show_progress, savoir_faire, parts)
    async with database.transaction() as connection:
        repository = DirectoryRepository(connection)
        known = await repository.known_professionals()
        if not scan.records:
            rejected = "".join(f"\n  line {r.line_number}: {r.reason}" for r in scan.rejected[:20])
            raise TerritoryNotFoundError(
                f"{path}: no professional of the territory's communes ({', '.join(codes)})"
                f" in its {scan.lines_read} lines; nothing was changed{rejected}"
            )
        to_write: list[NationalRecord] = []
        reactivate: list[str] = []
        new = updated = kept = 0
        for key, record in scan.records.items():
            previous = known.get(key)
            if previous is None:
                new += 1
                to_write.append(record)
            elif previous.source != SOURCE_RPPS or previous.national_hash != record.fingerprint():
                updated += 1
                to_write.append(record)
            elif not previous.active:
                reactivate.append(key)
            else:
                kept += 1
        gone = [
            k.key
            for k in known.values()
            if k.source == SOURCE_RPPS and k.active and k.key not in scan.records
        ]
        refuse_large_shrink(
            len(gone),
            sum(1 for k in known.values() if k.active),
            max_shrink,
            f"they are not in {path.name} for the territory's communes (a truncated or partial"
            " extract? communes removed from the territory?)",
        )
        await repository.upsert_national(to_write, SOURCE_RPPS, now)
        await repository.reactivate(reactivate, now)
        await repository.mark_inactive(gone, now)
    return RppsImportSummary(
        lines_read=scan.lines_read,
        lines_in_territory=scan.lines_in_territory,
        professionals_in_file=len(scan.records),
        new=new,
        updated=updated,
        kept=kept,
        reactivated=len(reactivate),
        marked_inactive=len(gone),
        rejected=scan.rejected,
        outside_part=scan.outside_part,
    )
