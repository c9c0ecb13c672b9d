"""Small modules and short functions: a module over 300 lines or a function body over 40
lines is an exception that says why.

``LONG_MODULES`` and ``LONG_FUNCTIONS`` list the exceptions, each with a one-line reason.
They only shrink: a new long module or function fails, and so does an entry that is no
longer long (or no longer exists), so that it is taken off the list. A function body is
counted from its first statement after the docstring to its last line.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "cpts_bot"
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 40

LONG_MODULES = {
    "app.py": "the composition root: builds every layer once, in one place",
    "features/directory/replies.py": "every shape of directory answer (results, relaxations, counts, structures)",
    "features/dispatch/chat.py": "declarations, guided request and follow-ups of dispatch; to split by exchange",
    "devtools/matrix_user.py": "a complete test client (login, E2EE, sync, send), kept as one tool",
    "devtools/synapse.py": "installing, configuring and running a test Synapse, one tool",
    "features/card/update_parser.py": "the card grammar: one pattern table and the parser that reads it",
    "features/directory/declared_activity_search.py": "one index over free-text activities with its stemming and scoring",
    "core/french_datetime.py": "the French date and time grammar: word tables and the clustering parser",
    "features/medecin_traitant/phrases.py": "the desk's phrase tables (GP room, registration, coordination)",
    "core/places/resolver.py": "building and reading place forms share private helpers",
    "features/directory/professional_matcher.py": "the matcher and its relaxation ladder; to split index / ranking",
    "features/directory/query_parser.py": "the directory question reader; lexicon building to move out",
    "importers/directory_csv.py": "every column's check of the CPTS file, one problem list per line",
    "importers/rota_csv.py": "every column's check of the rota file, one problem list per line",
    "importers/rpps_extract.py": "streaming scan of the national extract and its import, kept together",
    "matrix/cross_signing.py": "the cross-signing protocol steps with their signatures",
    "matrix/matrix_chat_gateway.py": "every kind of send (message, edit, reaction, pin) through one gateway",
    "matrix/sender_trust.py": "trust policies, device pinning and the warning, one security boundary",
    "features/dispatch/accept_service.py": "accept, decline and hand back race on one row; to split by answer",
    "settings.py": "the pydantic models of rooms.yaml and the settings, validated together",
    "features/directory/repository.py": "one method per directory query; to split national data / cards",
    "features/dispatch/repository.py": "one method per dispatch query; to split drafts / messages",
}

LONG_FUNCTIONS = {
    "app.py:_serve": "starts and stops every loop in order; each step is one call",
    "chat/core_feature.py:core_commands": "declarations (data): help, language, greetings, thanks",
    "features/directory/replies.py:_match_lines": "one result's lines: name, profession, place, contact, why",
    "features/cover/chat.py:commands": "declarations (data) of the swap commands",
    "devtools/synapse.py:configure": "the homeserver.yaml of the test Synapse, as one literal",
    "features/dispatch/phrases.py:parse_request": "blanks each understood piece in turn; the order matters",
    "core/french_datetime.py:_moment_from_cluster": "combines day, part of day and time tokens",
    "core/french_datetime.py:parse_period": "every period shape, most specific first",
    "features/reports/monthly_stats.py:compute_monthly_stats": "one pass over the month's rows for every figure",
    "features/directory/professional_matcher.py:_criteria": "turns every query field into a criterion",
    "features/directory/professional_matcher.py:build": "indexes every field of every card in one pass",
    "features/directory/professional_matcher.py:search": "the relaxation ladder, step by step",
    "features/directory/query_parser.py:_read": "one left-to-right reading of the words",
    "features/directory/query_parser.py:_to_query": "every reading field into the typed query",
    "features/directory/query_parser.py:_with_context": "how a follow-up question refines the previous one",
    "features/directory/query_parser.py:build": "indexes every kind of vocabulary word once",
    "features/rota/phrases.py:_shift": "a declared shift: profession, places, hours, day or weekly rule",
    "features/directory/sample_directory.py:generate_directory": "the sample territory's generator, weights inline",
    "importers/directory_csv.py:parse_directory_csv": "the file's checks (encoding, header, lines) in order",
    "importers/rota_csv.py:_parse_line": "every column of one rota line, all problems listed",
    "importers/rpps_extract.py:_add_line": "one extract line into a professional and a site",
    "importers/rpps_extract.py:import_rpps_extract": "scan, compare and write in one transaction",
    "importers/rpps_extract.py:scan_extract": "the byte-level scan loop, kept flat for speed",
    "matrix/cross_signing.py:ensure_cross_signed": "the cross-signing steps in the order the spec gives",
    "matrix/event_listener.py:to_inbox_item": "every event type into an inbox row",
    "matrix/matrix_chat_gateway.py:_perform": "one send per outbox kind, with its nio check",
    "reporting/charts.py:monthly_charts": "the report's charts, one block each",
    "reporting/charts.py:stacked_weeks": "one chart's drawing calls",
    "reporting/medecin_traitant_report.py:render_medecin_traitant_lines": "the desk's report lines",
    "reporting/monthly_report.py:render_lines": "the report's sections in the order funders read them",
    "features/dispatch/accept_service.py:hand_back": "hand back, reopen and tell everyone, in one transaction",
    "features/medecin_traitant/patient_registration_service.py:register_patient": "checks, request, private text, offers",
    "features/cover/answers_service.py:cancel_swap": "which request, who may cancel, the race, who is told",
    "features/cover/override_service.py:override_duty": "who is replaced by whom, checked, then the rota and both told",
    "features/cover/request_service.py:request_cover": "which duty, who is free, the offers, the requester's answer",
    "features/directory/repository.py:_load_professionals": "joins cards, sites and activities in one read",
    "features/directory/repository.py:save_card": "one card's rows (card, sites, activities, log)",
    "features/directory/repository.py:upsert_national": "the national rows' upsert statements",
}


def _modules() -> dict[str, str]:
    return {
        path.relative_to(PACKAGE).as_posix(): path.read_text("utf-8")
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = node.body
    first = body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        if len(body) == 1:
            return 0
        first = body[1]
    return (node.end_lineno or first.lineno) - first.lineno + 1


def long_modules() -> dict[str, int]:
    return {
        name: len(text.splitlines())
        for name, text in _modules().items()
        if len(text.splitlines()) > MAX_MODULE_LINES
    }


def long_functions() -> dict[str, int]:
    found: dict[str, int] = {}
    for name, text in _modules().items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = _body_lines(node)
                if lines > MAX_FUNCTION_LINES:
                    key = f"{name}:{node.name}"
                    found[key] = max(found.get(key, 0), lines)
    return found


def test_no_new_long_module() -> None:
    new = {name: lines for name, lines in long_modules().items() if name not in LONG_MODULES}
    assert new == {}, f"split these modules (or list them with a reason): {new}"


def test_no_new_long_function() -> None:
    new = {name: n for name, n in long_functions().items() if name not in LONG_FUNCTIONS}
    assert new == {}, f"shorten these functions (or list them with a reason): {new}"


def test_the_exceptions_only_shrink() -> None:
    stale_modules = set(LONG_MODULES) - set(long_modules())
    stale_functions = set(LONG_FUNCTIONS) - set(long_functions())
    assert (stale_modules, stale_functions) == (set(), set()), "take these off the lists"


def test_every_exception_says_why() -> None:
    for reason in [*LONG_MODULES.values(), *LONG_FUNCTIONS.values()]:
        assert reason.strip() and "\n" not in reason
