"""Every user-visible string has a French and an English translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

from cpts_bot.i18n.translator import load_catalog

PACKAGE = Path(__file__).resolve().parents[2] / "cpts_bot"
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}


def extracted_messages() -> set[str]:
    found: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(PACKAGE),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=(),
        strip_comment_tags=True,
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return {message for message in found if message}


def test_code_has_translatable_strings() -> None:
    assert len(extracted_messages()) > 5


def test_every_string_is_translated_in_french_and_english() -> None:
    messages = extracted_messages()
    for language in ("fr", "en"):
        catalog = load_catalog(language)
        missing = sorted(message for message in messages if message not in catalog)
        assert not missing, f"{language}: untranslated: {missing[:10]}"


def test_placeholders_match_between_languages() -> None:
    import re

    placeholder = re.compile(r"\{(\w+)\}")
    french = load_catalog("fr")
    for message, translation in french.items():
        source = message if isinstance(message, str) else message[0]
        target = translation if isinstance(translation, str) else translation[0]
        assert set(placeholder.findall(source)) == set(placeholder.findall(target)), source


def test_no_message_is_translated_two_ways_across_feature_catalogs() -> None:
    from babel.messages.pofile import read_po

    from cpts_bot.i18n.translator import LOCALES_DIR

    for language in ("fr", "en"):
        seen: dict[str, tuple[str, str]] = {}
        for path in sorted((LOCALES_DIR / language / "LC_MESSAGES").glob("*.po")):
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language)
            for message in catalog:
                if not message.id or not message.string or isinstance(message.id, tuple):
                    continue
                if message.id in seen:
                    other_file, other = seen[message.id]
                    assert other == message.string, (
                        f"{language}: {message.id!r} is {other!r} in {other_file} "
                        f"but {message.string!r} in {path.name}"
                    )
                seen[message.id] = (path.name, message.string)


def test_no_french_plural_is_written_with_parentheses() -> None:
    """« 3 collègue(s) libre(s) » reads badly on a phone: plurals go through ngettext."""
    french = load_catalog("fr")
    for message, translation in french.items():
        for text in (translation,) if isinstance(translation, str) else translation:
            assert "(s)" not in text and "(e)" not in text, (message, text)
