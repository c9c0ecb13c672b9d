"""Write ``queries.jsonl``: the third held-out set's questions and their ground truth.

The questions are written as GPs type them on a phone. Each carries, beside its text,
the reading a coordinator of the CPTS would give it: the professions, the communes, the
declared activity phrases that answer the need (any one of them), the modalities and
languages (all of them). The expected professionals are computed here from the two data
files alone (``rpps_extract.txt``, ``cpts_enrichment.csv``): a professional answers when
one of their activity lines lies in the asked communes (the territory when none is
named) and their CPTS row matches. Nothing here comes from the bot's code.

``python3 expected_heldout3.py --check`` exits with 1 when ``queries.jsonl`` is stale.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

ISS, BRO, PER, ORB, AUF = "63178", "63054", "63275", "63261", "63160"
SAU, SGL, CHX, DRV = "63415", "63352", "63080", "63109"
TERRITORY = [ISS, BRO, PER, ORB, AUF, SAU, SGL, CHX, DRV]
VAL_D_ALLIER = [ISS, BRO, PER, ORB, AUF]
COUZES = [CHX, DRV]
SUD = [SGL, SAU]
P63500 = [ISS, BRO, PER, ORB, AUF]  # Varennes-sur-Usson and Vodable share it, outside
P63320 = [CHX, DRV]  # Neschers shares it, outside

MG = [("10", "SM54")]
PSY = [("93", None), ("10", "SM42"), ("10", "SM43")]
ORTHO = [("91", None), ("92", None)]
DOCTOR = [("10", None)]


def q(text, intent, professions, places, acts=(), mods=(), langs=(), **extra):
    """One question: professions as (code, savoir-faire or None); None means any."""
    return dict(
        text=text,
        intent=intent,
        professions=professions,
        places=places,
        acts=list(acts),
        mods=list(mods),
        langs=list(langs),
        **extra,
    )


BRONCHIOLITE = "kiné respiratoire des bébés (bronchiolite)"
PRISE_DE_SANG = "bilans sanguins à domicile"
ULCERES = "pansements complexes et ulcères de jambe"
PALLIATIF = ["soins palliatifs et fin de vie", "pompes à morphine (PCA)"]
PERINEE_MK = "rééducation uro-gynécologique"

QUESTIONS = [
    q(
        "kine pr bronchiolite bebe sur issoire ?",
        "find",
        [("70", None)],
        [ISS],
        [BRONCHIOLITE],
        kind="lay_words",
    ),
    q(
        "infirmiere pour prise de sang a domicile a sauxillanges",
        "find",
        [("60", None)],
        [SAU],
        [PRISE_DE_SANG],
        ["domicile"],
        kind="lay_words",
    ),
    q(
        "qui fait les escarres a issoire ? ide",
        "find",
        [("60", None)],
        [ISS],
        ["escarres", ULCERES],
        notes="escarre: declared as such, or within complex wounds",
        kind="broader_term",
    ),
    q(
        "combien de kines font du drainage lymphatique sur la CPTS",
        "count",
        [("70", None)],
        TERRITORY,
        ["drainage lymphatique (lymphoedème)"],
        sector=TERRITORY,
    ),
    q(
        "orthophoniste pr enfant 7 ans dyslexique",
        "find",
        [("91", None)],
        None,
        ["troubles du langage écrit (dyslexie, dysorthographie)"],
        kind="patient_age",
    ),
    q(
        "mon patient de 4 ans begaie, une ortho a issoire ?",
        "find",
        ORTHO,
        [ISS],
        ["bégaiement enfant et adulte"],
        notes="ortho = orthophoniste or orthoptiste",
        kind="patient_age",
    ),
    q(
        "psy TCC ou hypnose",
        "find",
        PSY,
        None,
        ["thérapies cognitivo-comportementales (TCC)", "hypnothérapie"],
        kind="or_list",
    ),
    q(
        "kine ou osteo a champeix",
        "find",
        [("70", None)],
        [CHX],
        notes="osteopaths are not in the national extract; nobody declares osteopathy",
        kind="or_list",
    ),
    q(
        "pose de sterilet ou implant, un mg sur issoire ?",
        "find",
        MG,
        [ISS],
        ["pose de stérilet et implant contraceptif"],
        kind="or_list",
    ),
    q(
        "combien de soignants parlent portugais sur le territoire",
        "count",
        None,
        TERRITORY,
        langs=["portugais"],
        sector=TERRITORY,
        kind="every_profession",
    ),
    q(
        "des professionnels qui parlent anglais a issoire ?",
        "find",
        None,
        [ISS],
        langs=["anglais"],
        kind="every_profession",
    ),
    q(
        "dentiste urgence aujourd hui secteur sud",
        "find",
        [("40", None)],
        SUD,
        ["urgences dentaires du jour"],
        sector=SUD,
    ),
    q(
        "dentiste pour patient autiste, soins sous meopa ?",
        "find",
        [("40", None)],
        None,
        ["soins des patients en situation de handicap", "sédation MEOPA"],
        kind="lay_words",
    ),
    q(
        "podologue pied diabetique a domicile",
        "find",
        [("80", None)],
        None,
        ["soins du pied diabétique (grade 2-3)"],
        ["domicile"],
    ),
    q(
        "podo semelles 63320",
        "find",
        [("80", None)],
        P63320,
        ["semelles orthopédiques sur mesure"],
        notes="63320: Champeix and Les Deux-Rives; Neschers (same postal code) is outside",
        kind="postal_code",
    ),
    q(
        "combien d'infirmiers sur le 63500",
        "count",
        [("60", None)],
        P63500,
        notes="63500 in the territory: Issoire, Le Broc, Perrier, Orbeil, Aulhat-Flat",
        kind="postal_code",
    ),
    q(
        "idel a chidrac",
        "find",
        [("60", None)],
        [DRV],
        notes="Chidrac: former commune of Les Deux-Rives",
        kind="former_commune",
    ),
    q(
        "medecin a flat qui se deplace a domicile",
        "find",
        DOCTOR,
        [AUF],
        mods=["domicile"],
        notes="Flat: former commune of Aulhat-Flat",
        kind="former_commune",
    ),
    q(
        "infirmiere vers marsat pour prise de sang",
        "find",
        [("60", None)],
        [CHX],
        [PRISE_DE_SANG],
        notes="Marsat: a village of Champeix",
        kind="hamlet",
    ),
    q("psychomot pour tdah", "find", [("96", None)], None, ["TDAH et troubles de l'attention"]),
    q(
        "ergo pour amenager la salle de bain, patient hemiplegique",
        "find",
        [("94", None)],
        None,
        ["aménagement du domicile"],
        kind="lay_words",
    ),
    q(
        "dieteticienne pour maladie coeliaque",
        "find",
        [("95", None)],
        None,
        ["alimentation sans gluten"],
        kind="lay_words",
    ),
    q(
        "qui fait les semelles orthopediques ?",
        "find",
        None,
        None,
        ["semelles orthopédiques sur mesure"],
    ),
    q(
        "combien de pharmacies livrent les medicaments a domicile",
        "count",
        [("21", None)],
        None,
        ["portage des médicaments à domicile"],
        kind="lay_words",
    ),
    q(
        "pharmacie qui loue un lit medicalise sur st germain lembron",
        "find",
        [("21", None)],
        [SGL],
        ["matériel médical : location lits et fauteuils"],
        kind="lay_words",
    ),
    q(
        "vaccin grippe en pharmacie ou par une ide sur issoire",
        "find",
        [("21", None), ("60", None)],
        [ISS],
        ["vaccination à l'officine", "vaccins grippe et covid"],
        kind="or_list",
    ),
    q(
        "mg qui prend nouveaux patients a sauxillanges",
        "find",
        MG,
        [SAU],
        mods=["nouveaux_patients"],
    ),
    q(
        "patiente sans medecin traitant, un generaliste dispo a perrier ?",
        "find",
        MG,
        [PER],
        mods=["nouveaux_patients"],
        kind="other_feature",
    ),
    q("combien de MG sur les Couzes", "count", MG, COUZES, sector=COUZES),
    q(
        "kine pour vertiges positionnels",
        "find",
        [("70", None)],
        None,
        ["vertiges et rééducation vestibulaire"],
        kind="lay_words",
    ),
    q(
        "kine pr reeduc du perinee apres accouchement",
        "find",
        [("70", None)],
        None,
        [PERINEE_MK],
        kind="lay_words",
    ),
    q(
        "reeduc perinee post partum : kine ou sf ?",
        "find",
        [("70", None), ("50", None)],
        None,
        [PERINEE_MK, "rééducation du périnée après accouchement"],
        kind="or_list",
    ),
    q(
        "infirmiere soins palliatifs sur le val d'allier",
        "find",
        [("60", None)],
        VAL_D_ALLIER,
        PALLIATIF,
        sector=VAL_D_ALLIER,
    ),
    q(
        "accompagnement fin de vie a domicile, qui peut ?",
        "find",
        None,
        None,
        [*PALLIATIF, "soins palliatifs à domicile, coordination HAD"],
        ["domicile"],
        kind="every_profession",
    ),
    q(
        "dr chabrier issoire",
        "find",
        MG,
        [ISS],
        name="CHABRIER",
        notes="a homonym works in Clermont-Ferrand, outside",
    ),
    q(
        "orthoptiste secteur sud",
        "find",
        [("92", None)],
        SUD,
        sector=SUD,
        notes="ATTENDU VIDE: the only orthoptist works in Issoire",
    ),
    q(
        "un dermato sur la cpts ?",
        "find",
        [("10", "SM15")],
        TERRITORY,
        sector=TERRITORY,
        notes="ATTENDU VIDE: the dermatologist works in Clermont-Ferrand",
    ),
    q(
        "pediatre qui prend des nouveaux patients",
        "find",
        [("10", "SM40")],
        None,
        mods=["nouveaux_patients"],
    ),
    q("cardio pour epreuve d effort", "find", [("10", "SM04")], None, ["tests d'effort sur vélo"]),
    q(
        "ophtalmo fond d oeil pour diabetique",
        "find",
        [("10", "SM38")],
        None,
        ["rétinopathie diabétique (fond d'oeil)"],
        kind="lay_words",
    ),
    q(
        "psy pour ado de 14 ans a sauxillanges",
        "find",
        PSY,
        [SAU],
        ["ados et jeunes adultes"],
        kind="patient_age",
    ),
    q("psychologue deuil perinatal", "find", [("93", None)], None, ["deuil et deuil périnatal"]),
    q(
        "combien de psychologues font de la teleconsult",
        "count",
        [("93", None)],
        None,
        mods=["teleconsultation"],
    ),
    q("IDE le samedi sur issoire", "find", [("60", None)], [ISS], mods=["samedi"]),
    q("kine a dom sur le secteur sud", "find", [("70", None)], SUD, mods=["domicile"], sector=SUD),
    q(
        "combien de kines a sauxillanges",
        "count",
        [("70", None)],
        [SAU],
        notes="one of them works in Issoire too (second activity line)",
        kind="second_line",
    ),
    q(
        "sage femme pour sortie de maternite a la maison",
        "find",
        [("50", None)],
        None,
        ["sortie de maternité à domicile (PRADO)"],
        ["domicile"],
        kind="lay_words",
    ),
    q("qui parle turc ?", "find", None, None, langs=["turc"], kind="every_profession"),
    q(
        "un soignant qui connait la langue des signes ?",
        "find",
        None,
        None,
        langs=["LSF"],
        kind="every_profession",
    ),
    q("mg a domicile st germain", "find", MG, [SGL], mods=["domicile"]),
    q("ortho pr aphasie apres avc a dom", "find", ORTHO, None, ["aphasie après AVC"], ["domicile"]),
    q(
        "combien de pros de sante sur saint germain lembron",
        "count",
        None,
        [SGL],
        kind="every_profession",
    ),
    q(
        "issoir infirmier surveillance glycemie",
        "find",
        [("60", None)],
        [ISS],
        ["diabète : insuline et surveillance glycémie"],
        kind="typo",
    ),
    q(
        "orthodontiste pour adulte, gouttieres",
        "find",
        [("40", "SCD01")],
        None,
        ["orthodontie adulte (gouttières)"],
    ),
    q("chir dent implant champeix", "find", [("40", None)], [CHX], ["implants et prothèses"]),
    q("mg qui fait les echos", "find", MG, None, ["échographie au cabinet"]),
    q(
        "qq1 pour enlever un kyste sebace ?",
        "find",
        None,
        None,
        ["petite chirurgie (kystes, sutures)"],
        kind="lay_words",
    ),
    q(
        "arreter l alcool, un mg addicto ?",
        "find",
        MG,
        None,
        ["addictologie alcool"],
        kind="lay_words",
    ),
    q(
        "mg douleur chronique issoire ou les deux rives",
        "find",
        MG,
        [ISS, DRV],
        ["prise en charge de la douleur chronique"],
        kind="or_list",
    ),
    q(
        "psy burn out en teleconsult",
        "find",
        PSY,
        None,
        ["souffrance au travail / épuisement professionnel"],
        ["teleconsultation"],
        kind="lay_words",
    ),
]


def load() -> dict[str, dict]:
    people: dict[str, dict] = {}
    lines = (HERE / "rpps_extract.txt").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("|")
    for line in lines[1:]:
        row = dict(zip(header, line.split("|"), strict=True))
        person = people.setdefault(
            row["Identifiant PP"],
            {
                "surname": row["Nom d'exercice"],
                "communes": set(),
                "acts": set(),
                "mods": set(),
                "langs": set(),
            },
        )
        person["profession"] = row["Code profession"]
        person["savoir"] = row["Code savoir-faire"]
        person["communes"].add(row["Code commune (coord. structure)"])
    with (HERE / "cpts_enrichment.csv").open(encoding="utf-8", newline="") as source:
        for row in csv.DictReader(source):
            person = people[row["rpps"]]
            for field, column in (
                ("acts", "activities"),
                ("mods", "modalities"),
                ("langs", "languages"),
            ):
                person[field] = {value for value in row[column].split(";") if value}
    return people


def answers(person: dict, question: dict) -> bool:
    places = set(question["places"] or TERRITORY)
    if not person["communes"] & places:
        return False
    professions = question["professions"]
    if professions is not None and not any(
        person["profession"] == code and (savoir is None or person["savoir"] == savoir)
        for code, savoir in professions
    ):
        return False
    if question["acts"] and not person["acts"] & set(question["acts"]):
        return False
    if not set(question["mods"]) <= person["mods"]:
        return False
    if not set(question["langs"]) <= person["langs"]:
        return False
    return not question.get("name") or person["surname"] == question["name"]


def rows() -> list[dict]:
    people = load()
    out = []
    for number, question in enumerate(QUESTIONS, start=1):
        expected = sorted(rpps for rpps, person in people.items() if answers(person, question))
        professions = question["professions"] or []
        row = {
            "id": f"t{number:03d}",
            "text": question["text"],
            "intent": question["intent"],
            "profession_codes": sorted({code for code, _ in professions}),
            "savoir_faire": sorted({savoir for _, savoir in professions if savoir}),
            "communes_insee": sorted(question["places"] or []),
            "activities": ["|".join(question["acts"])] if question["acts"] else [],
            "modalities": question["mods"],
            "languages": question["langs"],
        }
        if question.get("sector"):
            row["sector"] = sorted(question["sector"])
        if question.get("name"):
            row["name"] = question["name"]
        row["notes"] = question.get("notes", "")
        if question.get("kind"):
            row["kind"] = question["kind"]
        row["expected_rpps"] = expected
        if question["intent"] == "count":
            row["expected_count"] = len(expected)
        out.append(row)
    return out


def main() -> int:
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows())
    path = HERE / "queries.jsonl"
    if "--check" in sys.argv:
        return 0 if path.exists() and path.read_text(encoding="utf-8") == text else 1
    path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
