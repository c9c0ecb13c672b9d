"""Write a feature's fr/en catalogs from (English, French) pairs: ``write_po.py NAME MODULE``.

MODULE is a Python file defining a list of pairs named like NAME in upper case. A plural
message is a pair of pairs: ((English singular, English plural), (French singular, French
plural)).
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

LOCALES = Path(__file__).resolve().parents[1] / "cpts_bot" / "i18n" / "locales"


Text = str | tuple[str, str]


def write(name: str, pairs: list[tuple[Text, Text]]) -> None:
    for language in ("fr", "en"):
        catalog = Catalog(locale=language, project="cpts-bot", charset="utf-8")
        for english, french in pairs:
            catalog.add(english, french if language == "fr" else english)
        path = LOCALES / language / "LC_MESSAGES" / f"{name}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=0, omit_header=False)


if __name__ == "__main__":
    feature, module = sys.argv[1], sys.argv[2]
    write(feature, runpy.run_path(module)[feature.upper()])
