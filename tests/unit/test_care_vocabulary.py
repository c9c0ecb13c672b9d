"""The care vocabulary is sound (its build script finds no problem) and its reference
page is current; the script does catch a word that is also a profession's."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

from cpts_bot.core.vocabulary_loader import load_vocabulary, load_vocabulary_from

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "cpts_bot" / "core" / "vocabulary"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_care_vocabulary", ROOT / "scripts" / "build_care_vocabulary.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_vocabulary_has_no_problem_and_its_page_is_current() -> None:
    script = _script()
    assert script.problems(load_vocabulary()) == []
    assert script.main(["--check"]) == 0


def test_a_question_word_that_is_also_a_profession_is_a_problem(tmp_path: Path) -> None:
    shutil.copytree(FOLDER, tmp_path / "vocabulary")
    activities = tmp_path / "vocabulary" / "activities.yaml"
    text = activities.read_text(encoding="utf-8")
    activities.write_text(
        text.replace("terms: [ongle incarne,", "terms: [podologue, ongle incarne,"),
        encoding="utf-8",
    )
    found = _script().problems(load_vocabulary_from(tmp_path / "vocabulary"))
    assert any("podologue" in problem and "profession:80" in problem for problem in found)
