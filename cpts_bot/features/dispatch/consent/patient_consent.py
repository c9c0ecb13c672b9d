"""The patient's consent to share (Code de la santé publique, art. L1110-4) and the
anonymised broadcast. Pure: text in, values out.

- « patient informé et d'accord », « patiente d'accord », « accord du patient »,
  « consentement recueilli », « patient consents » -> consent given; « patient pas
  d'accord », « sans son accord », « refus du patient » -> refused;
- the broadcast to professionals who do not know the patient says the commune, the care
  and the time only: a phone number, a street address or a civility with a name left in
  the care's words (« pansement Mme Durand 12 rue des Lilas 06 12 34 56 78 ») moves to the
  details, which only the one who accepts reads.
"""

from __future__ import annotations

import re

from cpts_bot.core.text_normalizer import fold

_PATIENT = r"(?:le\s+|la\s+)?(?:patiente?|malade|personne)"
_REFUSED = re.compile(
    r"(?<![a-z])(?:" + _PATIENT + r"\s+(?:n'?\s?est\s+)?(?:pas|non)\s+d'?\s?accord"
    r"|sans\s+(?:son\s+|l'?\s?)?(?:accord|consentement)(?:\s+du\s+patiente?)?"
    r"|refus\s+du\s+patiente?|(?:the\s+)?patient\s+(?:refuses|refused|disagrees"
    r"|(?:does|did)(?:\s+not|n't)\s+(?:consent|agree))"
    r"|no\s+(?:patient\s+)?consent|without\s+(?:the\s+patient's\s+)?consent)(?![a-z])"
)
_GIVEN = re.compile(
    r"(?<![a-z])(?:" + _PATIENT + r"\s+(?:informee?\s+(?:et\s+)?)?(?:est\s+)?d'?\s?accord"
    r"|accord\s+du\s+patiente?|consentement\s+(?:du\s+patiente?\s+)?(?:ok|recueilli|obtenu|donne)"
    r"|(?:the\s+)?patient\s+(?:(?:is\s+)?informed\s+and\s+)?(?:has\s+)?(?:consents|consented"
    r"|agrees|agreed)|consent\s+(?:given|obtained|ok))(?![a-z])"
)
_YES = re.compile(
    r"^(?:oui|yes|ok|d'?\s?accord|daccord|il\s+est\s+d'?\s?accord|elle\s+est\s+d'?\s?accord)\b"
)
_NO = re.compile(r"^(?:non|no|pas\s+d'?\s?accord|il\s+refuse|elle\s+refuse|refus)\b")


def consent_in(text: str) -> tuple[bool | None, tuple[int, int] | None]:
    """What ``text`` says of the patient's consent (None: nothing), and where."""
    folded = fold(text, keep_positions=True)
    for pattern, value in ((_REFUSED, False), (_GIVEN, True)):
        match = pattern.search(folded)
        if match:
            return value, match.span()
    return None, None


def consent_answer(text: str) -> bool | None:
    """« oui » / « non » to the consent question (None: not an answer)."""
    folded = fold(text.strip(), keep_positions=True)
    given, _span = consent_in(text)
    if given is not None:
        return given
    if _YES.match(folded):
        return True
    if _NO.match(folded):
        return False
    return None


_PHONE = re.compile(r"(?<![0-9])(?:\+33\s?|0)[1-9](?:[\s.-]?[0-9]{2}){4}(?![0-9])")
_ADDRESS = re.compile(
    r"(?<![a-z0-9])\d{1,4}\s*(?:bis|ter)?,?\s+(?:rue|avenue|av\.?|boulevard|bd|chemin|impasse"
    r"|allee|place|route|cours|quai|square|residence|lotissement|hameau)(?![a-z])"
    r"[^,;\n]*",
    re.IGNORECASE,
)
_CIVILITY_NAME = re.compile(
    r"(?<![A-Za-z])(?:Mme|Madame|Mlle|Mademoiselle|M\.|Mr\.?|Monsieur|Mrs\.?|Ms\.?)\s+"
    r"[A-ZÀ-Ý][\w'-]*(?:\s+[A-ZÀ-Ý][\w'-]*)?"
)


def anonymised(what: str) -> tuple[str, list[str]]:
    """``what`` without phone numbers, street addresses and civility-and-name; what was
    taken out, in order (for the details)."""
    taken: list[str] = []
    for pattern in (_PHONE, _ADDRESS, _CIVILITY_NAME):
        for match in pattern.finditer(what):
            taken.append(match.group(0).strip(" ,;"))
        what = pattern.sub(" ", what)
    cleaned = re.sub(r"\s+", " ", what).strip(" ,;-")
    cleaned = re.sub(r"\s+([,;])", r"\1", cleaned)
    return cleaned, taken


def anonymous_care(what: str | None, details: str) -> tuple[str | None, str]:
    """The care's words without identity, and the details with it (first)."""
    if not what:
        return None, details
    cleaned, taken = anonymised(what)
    return cleaned or None, "\n".join(part for part in (", ".join(taken), details) if part)
