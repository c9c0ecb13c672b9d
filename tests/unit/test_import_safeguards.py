"""Imports that cannot wipe the directory, and codes checked against the real communes.

- an import that would mark more than 20% of the active professionals inactive stops,
  exit 2, nothing changed, saying how many and why, unless ``--allow-shrink``;
- a file that ends mid-line is called truncated and imports nothing;
- every INSEE code of ``rooms.yaml`` (communes, neighbours, sectors) and of the directory
  file is a real commune, the nearest real one suggested, a postal code named as such;
- an unknown profession code is refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cpts_bot.core.places.commune_codes import commune_code_problem, commune_name_problem
from cpts_bot.importers.directory_csv import DirectoryCsvError, parse_directory_csv
from cpts_bot.importers.import_outcome import ALL_IMPORTED, NOTHING_IMPORTED, SOME_REJECTED
from cpts_bot.importers.rpps_extract import ExtractTruncatedError, scan_extract
from cpts_bot.importers.shrink_guard import ShrinkRefusedError, refuse_large_shrink
from cpts_bot.settings import ConfigError, load_rooms_config
from tests.unit.test_check_config import GOOD_ENV, run_check
from tests.unit.test_import_cli import Cli, cli, count_active  # noqa: F401

SAMPLE = Path(__file__).resolve().parents[2] / "cpts_bot" / "sample"
ROOMS = """
territory:
  name: CPTS Lyon 8
  communes:
    - {{insee: "{first}", name: Lyon 8e, neighbours: ["{neighbour}"]}}
    - {{insee: "69383", name: Lyon 3e}}
  sectors:
    - {{name: Est, communes: ["{sector}"]}}
coordinators: ["@coord:example.org"]
"""


def test_a_real_commune_has_no_problem() -> None:
    assert commune_code_problem("69388") is None  # Lyon 8e Arrondissement
    assert commune_code_problem("2A004") is None  # Ajaccio


def test_a_postal_code_is_named_as_one_with_the_insee_code() -> None:
    problem = commune_code_problem("83400")
    assert problem == "83400 is a postal code, not an INSEE code: the INSEE code is 83069 (Hyères)"


def test_a_typo_suggests_the_nearest_real_commune() -> None:
    problem = commune_code_problem("69398")
    assert problem is not None
    assert problem.startswith("69398 is not the INSEE code of any French commune; did you mean")
    assert "69389 (Lyon 9e Arrondissement)" in problem


def test_a_former_commune_names_the_commune_it_now_belongs_to() -> None:
    assert commune_code_problem("01039") == (
        "01039 is the former commune Béon, now part of Culoz-Béon: use 01138"
    )


@pytest.mark.parametrize(
    ("neighbour", "sector", "key", "wrong"),
    [
        ("69398", "69383", "communes[0].neighbours", "69398"),
        ("69387", "83400", "sectors[0].communes", "83400"),
    ],
)
def test_rooms_file_codes_are_checked_against_the_communes(
    tmp_path: Path, neighbour: str, sector: str, key: str, wrong: str
) -> None:
    path = tmp_path / "rooms.yaml"
    path.write_text(ROOMS.format(first="69388", neighbour=neighbour, sector=sector), "utf-8")
    with pytest.raises(ConfigError) as raised:
        load_rooms_config(path)
    problems = [str(problem) for problem in raised.value.problems]
    assert any(key in problem and wrong in problem for problem in problems), problems


def test_a_postal_code_in_the_rooms_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "rooms.yaml"
    path.write_text(ROOMS.format(first="69380", neighbour="69387", sector="69383"), "utf-8")
    with pytest.raises(ConfigError) as raised:
        load_rooms_config(path)
    assert "69380 is a postal code, not an INSEE code" in str(raised.value)


def test_a_real_code_given_with_another_commune_s_name_is_named(tmp_path: Path) -> None:
    # 69008 is Lyon 8e's postal code, and the INSEE code of Ancy.
    path = tmp_path / "rooms.yaml"
    path.write_text(
        ROOMS.format(first="69008", neighbour="69387", sector="69383").replace(
            "name: Lyon 3e", "name: Bron"
        ),
        "utf-8",
    )
    with pytest.raises(ConfigError) as raised:
        load_rooms_config(path)
    text = str(raised.value)
    assert (
        "69008 is the postal code of Lyon 8e Arrondissement, whose INSEE code is 69388"
        " (69008 is the INSEE code of Ancy)" in text
    )
    assert "'Bron' is the commune 69029 (Bron), but 69383 is the INSEE code of Lyon 3e" in text
    # A name of the territory's own (not an official commune name) is its choice.
    assert commune_name_problem("69383", "Lyon rive gauche") is None
    assert commune_name_problem("69388", "LYON 8E ARRONDISSEMENT") is None


CSV_HEADER = "id,last_name,profession_code,commune_insee\n"


def test_directory_rows_with_unreal_communes_or_professions_are_refused() -> None:
    rows, rejected = parse_directory_csv(
        CSV_HEADER
        + "a,DOE,60,69388\n"
        + "b,DOE,60,83400\n"
        + "c,DOE,60,69398\n"
        + "d,DOE,99,69388\n"
        + "e,DOE,26,69388\n"
    )
    assert len(rows) == 1
    reasons = {row.line_number: row.reason for row in rejected}
    assert "commune_insee: 83400 is a postal code, not an INSEE code" in reasons[3]
    assert "did you mean 69389 (Lyon 9e Arrondissement)" in reasons[4]
    assert "profession_code: '99' is not a profession the bot knows" in reasons[5]
    assert "'26' is not a profession the bot knows" in reasons[6]
    rows, rejected = parse_directory_csv(
        "id,last_name,profession_code,commune_insee,commune_name\n"
        "a,DOE,60,69008,Lyon 8e\n"
        "b,DOE,60,69388,LYON 8E ARRONDISSEMENT\n"
    )
    assert len(rows) == 1
    assert "69008 is the postal code of Lyon 8e Arrondissement" in rejected[0].reason


def test_a_directory_file_ending_mid_line_is_truncated() -> None:
    with pytest.raises(DirectoryCsvError, match="truncated: its last line \\(3\\) ends mid-line"):
        parse_directory_csv(CSV_HEADER + "a,DOE,60,69388\nb,DO")
    # A complete last line without a line end is not truncated.
    rows, rejected = parse_directory_csv(CSV_HEADER + "a,DOE,60,69388\nb,DOE,60,69388")
    assert len(rows) == 2 and not rejected


def test_an_extract_ending_mid_line_is_truncated() -> None:
    lines = (SAMPLE / "rpps_sample.txt").read_bytes().splitlines(keepends=True)
    complete = scan_extract(lines, ["69388"])
    assert complete.records
    cut = [*lines[:10], lines[10][:40]]
    with pytest.raises(ExtractTruncatedError, match="truncated: its last line \\(11\\)"):
        scan_extract(cut, ["69388"])


def test_the_shrink_limit() -> None:
    refuse_large_shrink(20, 100, 0.2, "why")
    refuse_large_shrink(99, 100, None, "why")
    with pytest.raises(ShrinkRefusedError, match="mark 21 of the directory's 100 active"):
        refuse_large_shrink(21, 100, 0.2, "gone")


def test_a_cut_extract_cannot_empty_the_directory(cli: Cli) -> None:  # noqa: F811
    assert cli("import", "rpps", SAMPLE / "rpps_sample.txt", "--no-progress") == ALL_IMPORTED
    before = count_active(cli)
    lines = (SAMPLE / "rpps_sample.txt").read_text("utf-8").splitlines(keepends=True)
    cut = cli.file("cut.txt", "".join(lines[:8]) + lines[8][:30])
    assert cli("import", "rpps", cut, "--no-progress") == NOTHING_IMPORTED
    assert "the file is truncated: its last line (9) ends mid-line" in cli.err
    assert "nothing was imported" in cli.err

    partial = cli.file("partial.txt", "".join(lines[:8]))
    assert cli("import", "rpps", partial, "--no-progress") == NOTHING_IMPORTED
    assert "would mark" in cli.err and f"of the directory's {before} active" in cli.err
    assert "--allow-shrink" in cli.err
    assert count_active(cli) == before

    code = cli("import", "rpps", partial, "--no-progress", "--allow-shrink")
    assert code in (ALL_IMPORTED, SOME_REJECTED)
    assert count_active(cli) < before


def test_a_directory_file_deactivating_most_people_is_refused(cli: Cli) -> None:  # noqa: F811
    assert cli("import", "directory", SAMPLE / "directory.csv") == ALL_IMPORTED
    before = count_active(cli)
    text = (SAMPLE / "directory.csv").read_text("utf-8")
    header, *rows = text.splitlines()
    off = [row for row in rows if row.startswith("professional,")]
    body = "\n".join(row.rsplit(",", 1)[0] + ",0" for row in off) + "\n"
    assert cli("import", "directory", cli.file("off.csv", header + "\n" + body)) == 2
    assert f"would mark {len(off)} of the directory's {before} active" in cli.err
    assert count_active(cli) == before
    assert (
        cli("import", "directory", cli.file("off.csv", header + "\n" + body), "--max-shrink", "100")
        == 0
    )
    assert count_active(cli) == before - len(off)


def test_check_config_names_a_postal_code_and_an_unknown_neighbour(tmp_path: Path) -> None:
    rooms = ROOMS.format(first="69008", neighbour="69398", sector="69383").replace(
        "name: Lyon 8e,", "name: Lyon 8e Arrondissement,"
    )
    result = run_check(tmp_path, GOOD_ENV, rooms)
    assert result.returncode != 0
    assert (
        "territory.communes[0].name: 69008 is the postal code of Lyon 8e Arrondissement,"
        " whose INSEE code is 69388 (69008 is the INSEE code of Ancy)"
        in result.stdout
        + result.stderr
    )
    assert (
        "territory.communes[0].neighbours: 69398 is not the INSEE code of any French commune;"
        " did you mean 69389 (Lyon 9e Arrondissement)" in result.stdout + result.stderr
    )
