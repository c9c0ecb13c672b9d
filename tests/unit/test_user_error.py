"""One user-error type, rendered through the catalogs; locale formatting on the translator."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from cpts_bot.core.french_datetime import ERROR_INVALID_TIME, MomentError, parse_moment
from cpts_bot.core.user_error import UserError
from cpts_bot.features.alerts.schedule import ScheduleError
from cpts_bot.features.medecin_traitant.phrases import RegisterError, RegisterProblem
from cpts_bot.features.rota.phrases import ERROR_NEED_TIMES, RotaError, parse_rota_command
from cpts_bot.i18n import Translator
from cpts_bot.services.context import places_for
from tests.unit.dispatch_support import make_config

PACKAGE = Path(__file__).resolve().parents[2] / "cpts_bot"
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
# Classes still carrying a message of their own for the user, and why.
KNOWN_MESSAGE_CLASSES = {
    # A UserError here would also be claimed by « remplacement », which takes MomentError.
    "features/cover/phrases.py:SwapPhraseError": "routes to the coordinator's command only",
}
# Modules formatting with babel themselves rather than through the translator.
KNOWN_BABEL_USERS: dict[str, str] = {}


def test_the_parsers_errors_are_one_type() -> None:
    assert MomentError is RotaError is ScheduleError is RegisterError is UserError


def test_a_user_error_is_rendered_in_the_reader_s_language() -> None:
    error = parse_rota_command(
        "garde @alice:cpts.test IDE Hyères demain", NOW, places_for(make_config())
    )
    assert error == UserError(ERROR_NEED_TIMES)
    assert isinstance(error, UserError)
    assert error.render(Translator("fr")) == "Indiquez les heures, par ex. « 20h-8h »."
    assert error.render(Translator("en")) == "Give the hours, e.g. “20h-8h”."
    moment = parse_moment("demain 25h", NOW)
    assert moment == UserError(ERROR_INVALID_TIME, "25h")
    assert isinstance(moment, UserError)
    assert moment.render(Translator("en").gettext) == "25h is not a valid time."
    problem = RegisterError(RegisterProblem.NO_AGE)
    assert "Bron" in problem.render(Translator("fr"), example="Bron")


def test_no_other_class_carries_a_message_for_the_user() -> None:
    found = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.ClassDef) or name == "core/user_error.py":
                continue
            fields = {
                item.target.id
                for item in node.body
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
            }
            if "message_id" in fields:
                found.add(f"{name}:{node.name}")
    assert found == set(KNOWN_MESSAGE_CLASSES), "say it with domain.user_error.UserError"


def test_dates_and_numbers_are_formatted_by_the_translator() -> None:
    french, english = Translator("fr"), Translator("en")
    evening = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
    assert french.format_datetime(evening, "EEE d MMM HH:mm") == "lun. 23 nov. 20:00"
    assert english.format_datetime(evening, "EEE d MMM HH:mm") == "Mon 23 Nov 20:00"
    assert french.format_date(date(2026, 12, 1), "MMMM yyyy") == "décembre 2026"
    assert french.format_number(2.5, "0.#") == "2,5" and english.format_number(2.5) == "2.5"
    assert french.format_number(1234) == "1\u202f234"
    assert french.format_percent(0.42) == "42 %"
    assert french.format_duration(timedelta(minutes=4)) == "4 minutes"
    assert english.format_list(["a", "b", "c"]) == "a, b and c"
    assert french.language_name("ar") == "arabe"


def test_babel_is_called_by_the_translator_only() -> None:
    users = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if any(item == "babel" or item.startswith("babel.") for item in [module or "", *names]):
                users.add(name)
    assert users - {"i18n/translator.py"} == set(KNOWN_BABEL_USERS)
