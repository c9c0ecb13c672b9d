"""`cpts-bot check-config` names each problem: which file, which key, what is wrong."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GOOD_ENV = (
    "CPTS_HOMESERVER=https://matrix.example.org\n"
    "CPTS_USER_ID=@cpts-bot:example.org\nCPTS_PASSWORD=secret\n"
)
GOOD_ROOMS = """\
territory:
  name: CPTS Exemple
  communes:
    - insee: "69388"
      name: Lyon 8e Arrondissement
coordinators: ["@coord:example.org"]
"""


def run_check(tmp_path: Path, env_text: str, rooms_text: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / ".env").write_text(env_text)
    (tmp_path / "rooms.yaml").write_text(rooms_text)
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "cpts_bot",
            "--env-file",
            str(tmp_path / ".env"),
            "--rooms-file",
            str(tmp_path / "rooms.yaml"),
            "check-config",
        ],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        check=False,
    )


def test_a_valid_configuration_passes(tmp_path: Path) -> None:
    result = run_check(tmp_path, GOOD_ENV, GOOD_ROOMS)
    assert result.returncode == 0, result.stderr
    assert "configuration OK" in result.stdout


def test_sectors_are_accepted(tmp_path: Path) -> None:
    rooms = GOOD_ROOMS.replace(
        "coordinators:",
        "  sectors:\n    - name: Secteur nord\n      aliases: [le nord]\n"
        '      communes: ["69388"]\ncoordinators:',
    )
    result = run_check(tmp_path, GOOD_ENV, rooms)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("env_text", "rooms_text", "expected"),
    [
        (
            GOOD_ENV.replace("https://matrix.example.org", "matrix.example.org"),
            GOOD_ROOMS,
            "CPTS_HOMESERVER: must be an http:// or https:// URL",
        ),
        (
            GOOD_ENV,
            GOOD_ROOMS.replace('"69388"', '"6938"'),
            "rooms.yaml: territory.communes[0].insee: '6938' is not an INSEE commune code",
        ),
        (
            GOOD_ENV,
            GOOD_ROOMS.replace('["@coord:example.org"]', '["coord"]'),
            "rooms.yaml: coordinators[0]: 'coord' is not a Matrix user ID",
        ),
        (
            GOOD_ENV,
            GOOD_ROOMS + "rooms:\n  coordination: general\n",
            "rooms.yaml: rooms.coordination: 'general' is not a room ID",
        ),
        (
            GOOD_ENV,
            GOOD_ROOMS.replace(
                "Arrondissement\n", 'Arrondissement\n      postal_codes: ["6908"]\n'
            ),
            "rooms.yaml: territory.communes[0].postal_codes: '6908' is not a postal code",
        ),
        (
            GOOD_ENV,
            GOOD_ROOMS + "access:\n  servers: [example.org, 'https://example.org']\n",
            "rooms.yaml: access.servers: 'https://example.org' is not a server name",
        ),
        (
            GOOD_ENV,
            GOOD_ROOMS + "coordinatorz: []\n",
            "rooms.yaml: coordinatorz: unknown key (misspelt?)",
        ),
        (
            GOOD_ENV,
            GOOD_ROOMS.replace("  name: CPTS Exemple\n", ""),
            "rooms.yaml: territory.name: required, missing",
        ),
        (
            GOOD_ENV.replace("CPTS_PASSWORD=secret\n", ""),
            GOOD_ROOMS,
            "set CPTS_PASSWORD or CPTS_ACCESS_TOKEN",
        ),
        (GOOD_ENV, "territory: [unclosed\n", "rooms.yaml: line 2, column 1: invalid YAML"),
        (
            GOOD_ENV,
            GOOD_ROOMS.replace(
                "coordinators:",
                '  sectors:\n    - name: Secteur nord\n      communes: ["69123"]\ncoordinators:',
            ),
            "rooms.yaml: territory: sector 'Secteur nord': 69123 not among the territory's communes",
        ),
        (
            GOOD_ENV,
            GOOD_ROOMS.replace(
                "coordinators:",
                "  sectors:\n    - name: Secteur nord\n      communes: []\ncoordinators:",
            ),
            "rooms.yaml: territory.sectors[0].communes: List should have at least 1 item",
        ),
        (
            GOOD_ENV,
            GOOD_ROOMS + "dispatch:\n  usual_first_minutes: 5\n  usual_first_urgent_minutes: 20\n",
            "rooms.yaml: dispatch: usual_first_urgent_minutes (the wait of an urgent request "
            "for the usual professional) must not be longer than usual_first_minutes",
        ),
        (
            GOOD_ENV,
            GOOD_ROOMS + "dispatch:\n  usual_first_minutes: -5\n",
            "rooms.yaml: dispatch.usual_first_minutes: Input should be greater than or equal to 0",
        ),
        (
            GOOD_ENV,
            GOOD_ROOMS + "dispatch:\n  reminders: {done_within_minutes: 0}\n",
            "rooms.yaml: dispatch.reminders.done_within_minutes: Input should be greater than "
            "or equal to 1",
        ),
        (
            GOOD_ENV,
            GOOD_ROOMS + "dispatch:\n  reminders: {coordination_after_minuts: 3}\n",
            "rooms.yaml: dispatch.reminders.coordination_after_minuts: unknown key (misspelt?)",
        ),
    ],
    ids=[
        "homeserver-url",
        "insee",
        "coordinator-id",
        "room-ref",
        "postal-code",
        "server-name",
        "unknown-key",
        "missing",
        "no-credential",
        "yaml-syntax",
        "sector-commune",
        "sector-empty",
        "usual-urgent-longer",
        "usual-negative",
        "reminder-zero",
        "reminder-unknown-key",
    ],
)
def test_each_broken_configuration_gives_a_precise_error(
    tmp_path: Path, env_text: str, rooms_text: str, expected: str
) -> None:
    result = run_check(tmp_path, env_text, rooms_text)
    assert result.returncode == 2
    assert expected in result.stderr, result.stderr


def test_the_bot_refuses_to_start_on_an_invalid_configuration(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(GOOD_ENV)
    (tmp_path / "rooms.yaml").write_text(GOOD_ROOMS.replace('"69388"', '"x"'))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cpts_bot",
            "--env-file",
            str(tmp_path / ".env"),
            "--rooms-file",
            str(tmp_path / "rooms.yaml"),
            "run",
        ],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2
    assert "refuses to start" in result.stderr
    assert "territory.communes[0].insee" in result.stderr


def test_the_example_rooms_yaml_is_valid() -> None:
    from cpts_bot.settings import load_rooms_config

    config = load_rooms_config(REPO / "rooms.yaml")
    assert config.territory.communes


def test_room_ids_with_and_without_a_server_part_are_accepted(tmp_path: Path) -> None:
    rooms = GOOD_ROOMS + (
        'rooms:\n  coordination: "!DpH7K8abcdefghijklmnopqrstu"\n'
        '  alerts: ["!old:example.org", "#alertes:example.org"]\n'
    )
    result = run_check(tmp_path, GOOD_ENV, rooms)
    assert result.returncode == 0, result.stderr
