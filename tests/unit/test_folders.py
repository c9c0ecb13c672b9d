"""One folder per feature and a small kernel: no folder of the package holds more than
25 modules, and every module of a feature folder has a role its name tells
(``tests/unit/module_roles.py``)."""

from __future__ import annotations

from pathlib import Path

from tests.unit.module_roles import FEATURES, PACKAGE, role_of_file

MAX_MODULES_PER_FOLDER = 25


def folders(root: Path = PACKAGE) -> dict[str, int]:
    """How many modules each folder under ``root`` holds."""
    counts: dict[str, int] = {}
    for path in root.rglob("*.py"):
        if "__pycache__" in path.parts:
            continue
        folder = path.parent.relative_to(root).as_posix()
        counts[folder] = counts.get(folder, 0) + 1
    return counts


def test_no_folder_holds_more_than_25_modules() -> None:
    crowded = {folder: n for folder, n in folders().items() if n > MAX_MODULES_PER_FOLDER}
    assert not crowded, f"split these folders (at most {MAX_MODULES_PER_FOLDER} modules): {crowded}"


def test_every_feature_is_a_package_of_its_own() -> None:
    features = [p for p in (PACKAGE / FEATURES).iterdir() if p.is_dir() and p.name != "__pycache__"]
    assert len(features) >= 8
    for feature in features:
        assert (feature / "__init__.py").exists(), feature.name


def test_the_layer_folders_are_gone() -> None:
    """Pure code lives in core/ or a feature; the old domain/ folder does not come back."""
    assert not (PACKAGE / "domain").exists()


def test_the_count_sees_a_crowded_folder(tmp_path: Path) -> None:
    crowded = tmp_path / "features" / "crowded"
    crowded.mkdir(parents=True)
    for n in range(MAX_MODULES_PER_FOLDER + 1):
        (crowded / f"m{n}.py").write_text("", "utf-8")
    (tmp_path / "features" / "__init__.py").write_text("", "utf-8")
    assert folders(tmp_path) == {"features": 1, "features/crowded": MAX_MODULES_PER_FOLDER + 1}


def test_a_feature_module_has_the_role_its_name_says() -> None:
    assert role_of_file("features/rota/duty_fill_service.py") == "services"
    assert role_of_file("features/rota/jobs.py") == "services"
    assert role_of_file("features/rota/reminders/duty_notice_repository.py") == "storage"
    assert role_of_file("features/rota/calendar_chat.py") == "chat"
    assert role_of_file("features/rota/phrases.py") == "domain"
    assert role_of_file("core/places/resolver.py") == "domain"
    assert role_of_file("storage/outbox.py") == "storage"


def test_a_module_in_a_sub_package_keeps_the_role_its_name_says() -> None:
    from tests.unit.module_roles import as_layer_module

    assert role_of_file("features/dispatch/consent/consent_repository.py") == "storage"
    assert (
        as_layer_module("cpts_bot.features.dispatch.consent.consent_repository")
        == "cpts_bot.storage.consent.consent_repository"
    )
