"""The shapes every rota command has (read by rota_phrases.py), and the words the
router looks for before asking the rota reader: the French ones these shapes require,
and the English words (rota_english.py) that become them. Pure."""

from __future__ import annotations

import re

from cpts_bot.features.rota.english import ENGLISH_PHRASES, SETTING

DUTY_WORDS = re.compile(
    r"(?<![a-z])(?:de\s+garde|d'\s?astreinte|en\s+astreinte|de\s+permanence|d'\s?astreinte"
    r"|astreintes?|gardes?|permanences?|de\s+service)(?![a-z])"
)
MY_DUTIES = re.compile(
    r"^(?:mes|mon)\s+(?:gardes?|astreintes?|permanences?|planning|creneaux)(?P<rest>.*)$"
)
MY_LEAVE = re.compile(r"^(?:mes|mon)\s+(?:conges?|absences?|vacances)\s*$")
LEAVE_START = re.compile(
    r"^(?:je\s+(?:suis|serai)\s+|serai\s+|suis\s+)?(?:absente?|en\s+conges?|conges?"
    r"|en\s+vacances|en\s+repos)(?![a-z])"
)
CANCEL_LEAVE = re.compile(
    r"^(?:annuler?|supprimer?|effacer?)\s+(?:mon\s+|le\s+)?(?:conges?|absence)\s+#?(\d+)\s*$"
)
SET = re.compile(
    r"^(?:ajouter\s+)?(?P<what>gardes?|astreintes?|permanences?|conges?|absences?)"
    r"\s+(?P<user>@\S+)\s*(?P<rest>.*)$"
)

# Every French rota command matches one of these (the router's trigger words come from them).
ROTA_PATTERNS = (CANCEL_LEAVE, MY_LEAVE, MY_DUTIES, SET, LEAVE_START, DUTY_WORDS)


def english_rota_words(french_fragments: frozenset[str]) -> tuple[str, ...]:
    """The English words that become one of ``french_fragments`` once read as French
    (« on call » -> « de garde »): an English rota command holds one of them."""
    return tuple(
        english
        for english, french in ENGLISH_PHRASES.items()
        if any(fragment in french for fragment in french_fragments)
    )


# « shift @a:hs … », « leave @b:hs … »: the English setting words read as « garde », « conge ».
ENGLISH_SETTING_PATTERNS = (SETTING,)
