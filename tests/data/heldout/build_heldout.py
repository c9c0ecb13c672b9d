"""Write the held-out directory set: a national extract, a CPTS file, labelled questions.

Written apart from the bot's vocabulary, before it was extended, in another style than
the development set: two other territories (part of Toulouse by postal code with two
suburbs; three small communes of the Drôme), a fresh list of declared activities, and
questions a GP would type. Run ``python tests/data/heldout/build_heldout.py``: it writes
``rpps_extract.txt``, ``cpts_enrichment.csv`` and ``queries.jsonl`` beside itself from
the tables below (the expected answers are given by handle and turned into RPPS
numbers). Everything is fictitious; phone numbers are in ARCEP's fiction blocks.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = (
    "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Code civilité d'exercice|"
    "Libellé civilité d'exercice|Code civilité|Libellé civilité|Nom d'exercice|Prénom d'exercice|"
    "Code profession|Libellé profession|Code catégorie professionnelle|Libellé catégorie "
    "professionnelle|Code type savoir-faire|Libellé type savoir-faire|Code savoir-faire|Libellé "
    "savoir-faire|Code mode exercice|Libellé mode exercice|Numéro SIRET site|Numéro SIREN site|"
    "Numéro FINESS site|Numéro FINESS établissement juridique|Identifiant technique de la "
    "structure|Raison sociale site|Enseigne commerciale site|Complément destinataire (coord. "
    "structure)|Complément point géographique (coord. structure)|Numéro Voie (coord. structure)|"
    "Indice répétition voie (coord. structure)|Code type de voie (coord. structure)|Libellé type "
    "de voie (coord. structure)|Libellé Voie (coord. structure)|Mention distribution (coord. "
    "structure)|Bureau cedex (coord. structure)|Code postal (coord. structure)|Code commune "
    "(coord. structure)|Libellé commune (coord. structure)|Code pays (coord. structure)|Libellé "
    "pays (coord. structure)|Téléphone (coord. structure)|Téléphone 2 (coord. structure)|"
    "Télécopie (coord. structure)|Adresse e-mail (coord. structure)|Code Département "
    "(structure)|Libellé Département (structure)|Ancien identifiant de la structure|Autorité "
    "d'enregistrement|Code secteur d'activité|Libellé secteur d'activité|Code section tableau "
    "pharmaciens|Libellé section tableau pharmaciens|Code rôle|Libellé rôle|Code genre activité|"
    "Libellé genre activité|"
)
PROFESSIONS = {
    "10": "Médecin",
    "21": "Pharmacien",
    "40": "Chirurgien-Dentiste",
    "50": "Sage-Femme",
    "60": "Infirmier",
    "70": "Masseur-Kinésithérapeute",
    "80": "Pédicure-Podologue",
    "91": "Orthophoniste",
    "93": "Psychologue",
    "95": "Diététicien",
}
SPECIALTIES = {"SM54": "Médecine Générale", "SM40": "Pédiatrie", "SM42": "Psychiatrie"}
COMMUNES = {
    # postal code -> (INSEE, name as the extract writes it)
    "31200": ("31555", "Toulouse"),
    "31500": ("31555", "Toulouse"),
    "31300": ("31555", "Toulouse"),  # the part of Toulouse outside the territory
    "31400": ("31555", "Toulouse"),  # idem
    "31240": ("31561", "L'Union"),
    "31140": ("31282", "Launaguet"),
    "31130": ("31044", "Balma"),  # outside
    "26220": ("26114", "Dieulefit"),
    "26160a": ("26045", "La Bégude-de-Mazenc"),
    "26160b": ("26243", "Le Poët-Laval"),
    "26200": ("26198", "Montélimar"),  # outside
}

# handle, title, civility, last, first, profession, specialty, [(postal, mode)],
# activities, modalities, languages
PEOPLE: list[tuple] = [
    # --- Toulouse (part: 31200, 31500) and its suburbs ---
    (
        "t1",
        "",
        "MME",
        "FABRE",
        "Séverine",
        "60",
        "",
        [("31200", "L")],
        ["cicatrisation des plaies", "suivi de l'hypertension artérielle", "nursing et toilette"],
        ["domicile"],
        ["occitan"],
    ),
    (
        "t2",
        "",
        "M",
        "ROUCH",
        "Bastien",
        "60",
        "",
        [("31500", "L")],
        ["chimio par PICC line", "bilan sanguin à domicile"],
        ["domicile"],
        [],
    ),
    (
        "t3",
        "",
        "MME",
        "LAFFONT",
        "Inès",
        "60",
        "",
        [("31300", "L")],
        ["cicatrisation des plaies", "éducation à l'autosurveillance glycémique"],
        ["domicile"],
        [],
    ),
    (
        "t4",
        "",
        "MME",
        "SALVAT",
        "Nadia",
        "60",
        "",
        [("31240", "L")],
        ["injection d'anticoagulants", "surveillance post-hospitalisation"],
        ["domicile"],
        ["arabe"],
    ),
    (
        "t5",
        "",
        "M",
        "BOUSQUET",
        "Rémi",
        "60",
        "",
        [("31140", "L")],
        ["prise en charge des ulcères de jambe", "soins d'escarres"],
        ["domicile"],
        [],
    ),
    (
        "t6",
        "",
        "M",
        "ESTRADE",
        "Loïc",
        "70",
        "",
        [("31200", "L")],
        ["rééducation du genou", "reprise sportive", "méthode Mézières"],
        [],
        [],
    ),
    (
        "t7",
        "",
        "MME",
        "CAZALS",
        "Pauline",
        "70",
        "",
        [("31500", "L")],
        ["kinésithérapie respiratoire du nourrisson", "drainage des œdèmes"],
        ["domicile"],
        [],
    ),
    (
        "t8",
        "",
        "M",
        "MASSOT",
        "Julien",
        "70",
        "",
        [("31240", "L")],
        ["ostéopathie", "vertiges positionnels"],
        [],
        [],
    ),
    (
        "t9",
        "",
        "MME",
        "PUJOL",
        "Chloé",
        "70",
        "",
        [("31140", "L")],
        ["incontinence urinaire de la femme", "rééducation de la main"],
        [],
        ["arabe"],
    ),
    (
        "t10",
        "",
        "M",
        "TEULIÈRE",
        "Antoine",
        "70",
        "",
        [("31400", "L")],
        ["ostéopathie", "rééducation du genou"],
        [],
        [],
    ),
    (
        "t11",
        "",
        "MME",
        "GASC",
        "Margot",
        "80",
        "",
        [("31200", "L")],
        ["pédicurie médicale", "orthèses plantaires"],
        [],
        [],
    ),
    (
        "t12",
        "",
        "M",
        "VIGUIER",
        "Hugo",
        "80",
        "",
        [("31240", "L")],
        ["examen du pied du diabétique", "podologie du sportif"],
        ["domicile"],
        [],
    ),
    (
        "t13",
        "",
        "MME",
        "BENHAMOU",
        "Leïla",
        "93",
        "",
        [("31200", "L")],
        ["thérapies brèves", "hypnose ericksonienne", "troubles anxio-dépressifs"],
        [],
        ["arabe"],
    ),
    (
        "t14",
        "",
        "M",
        "CASTEL",
        "Yann",
        "93",
        "",
        [("31500", "L")],
        ["sophrologie", "gestion du stress"],
        [],
        [],
    ),
    (
        "t15",
        "",
        "MME",
        "DELPECH",
        "Aurore",
        "93",
        "",
        [("31240", "L")],
        ["psychologie de l'enfant et de l'adolescent", "thérapie cognitivo-comportementale"],
        [],
        [],
    ),
    (
        "t16",
        "",
        "MME",
        "ROQUES",
        "Elsa",
        "93",
        "",
        [("31300", "L")],
        ["sophrologie", "hypnose ericksonienne"],
        [],
        [],
    ),
    (
        "t17",
        "DR",
        "M",
        "ALBERT",
        "Mathieu",
        "10",
        "SM54",
        [("31200", "L")],
        ["tabacologie", "petite chirurgie cutanée"],
        ["nouveaux_patients"],
        [],
    ),
    (
        "t18",
        "DR",
        "MME",
        "COMBES",
        "Sandrine",
        "10",
        "SM54",
        [("31500", "L"), ("31240", "L")],
        ["suivi des diabétiques", "gynécologie médicale", "pose d'implant contraceptif"],
        ["nouveaux_patients"],
        ["arabe"],
    ),
    (
        "t19",
        "DR",
        "M",
        "FAURÉ",
        "Olivier",
        "10",
        "SM54",
        [("31140", "L")],
        ["médecine du sport"],
        [],
        [],
    ),
    (
        "t20",
        "DR",
        "MME",
        "LACAZE",
        "Hélène",
        "10",
        "SM54",
        [("31300", "L")],
        ["tabacologie"],
        ["nouveaux_patients"],
        [],
    ),
    (
        "t21",
        "DR",
        "M",
        "SABATIER",
        "Paul",
        "10",
        "SM40",
        [("31200", "L")],
        ["asthme du nourrisson"],
        [],
        [],
    ),
    (
        "t22",
        "",
        "MME",
        "MARTY",
        "Lucie",
        "50",
        "",
        [("31240", "L")],
        ["rééducation du périnée", "consultation en allaitement", "suivi gynécologique"],
        [],
        [],
    ),
    (
        "t23",
        "",
        "MME",
        "SOULÉ",
        "Amandine",
        "50",
        "",
        [("31500", "L")],
        ["cours de préparation à l'accouchement", "consultation de contraception"],
        [],
        [],
    ),
    (
        "t24",
        "",
        "M",
        "RIGAL",
        "Thomas",
        "21",
        "",
        [("31200", "L")],
        ["entretien AVK", "dépistage angine", "préparation de piluliers"],
        [],
        [],
    ),
    (
        "t25",
        "",
        "MME",
        "ARMENGAUD",
        "Julie",
        "21",
        "",
        [("31140", "L")],
        ["location de matériel médical", "vaccination en officine"],
        [],
        [],
    ),
    (
        "t26",
        "",
        "MME",
        "BONNEFOY",
        "Agathe",
        "95",
        "",
        [("31200", "L")],
        ["rééquilibrage alimentaire", "surpoids de l'enfant"],
        [],
        [],
    ),
    (
        "t27",
        "",
        "M",
        "CAYLA",
        "Nicolas",
        "91",
        "",
        [("31500", "L")],
        ["troubles de l'articulation", "retard de langage chez l'enfant"],
        [],
        [],
    ),
    (
        "t28",
        "DR",
        "M",
        "GALY",
        "Pierre",
        "40",
        "",
        [("31240", "L")],
        ["soins dentaires des enfants", "traitement des gencives"],
        [],
        [],
    ),
    (
        "t29",
        "",
        "M",
        "DUPRAT",
        "Kevin",
        "60",
        "",
        [("31130", "L")],
        ["cicatrisation des plaies"],
        ["domicile"],
        [],
    ),
    # --- Pays de Dieulefit (Drôme) ---
    (
        "d1",
        "",
        "MME",
        "REYNAUD",
        "Cécile",
        "60",
        "",
        [("26220", "L")],
        ["soins de plaies chroniques", "accompagnement en fin de vie"],
        ["domicile"],
        [],
    ),
    (
        "d2",
        "",
        "M",
        "CHABERT",
        "Florian",
        "60",
        "",
        [("26160a", "L")],
        ["suivi tensionnel", "prélèvements veineux"],
        ["domicile"],
        [],
    ),
    (
        "d3",
        "",
        "MME",
        "ROUX",
        "Amélie",
        "60",
        "",
        [("26160b", "L")],
        ["pansements d'ulcères", "aide au sevrage du tabac"],
        ["domicile"],
        [],
    ),
    (
        "d4",
        "",
        "M",
        "BLANC",
        "Gaël",
        "70",
        "",
        [("26220", "L")],
        ["rééducation vestibulaire et vertiges", "kiné à domicile des personnes âgées"],
        ["domicile"],
        [],
    ),
    (
        "d5",
        "",
        "MME",
        "FAYARD",
        "Laure",
        "70",
        "",
        [("26160a", "L")],
        ["rééducation périnéo-sphinctérienne", "drainage lymphatique manuel"],
        [],
        [],
    ),
    (
        "d6",
        "",
        "M",
        "ARNAUD",
        "Denis",
        "80",
        "",
        [("26220", "L")],
        ["podologie", "semelles sur mesure"],
        [],
        [],
    ),
    (
        "d7",
        "",
        "MME",
        "MOULIN",
        "Sophie",
        "93",
        "",
        [("26220", "L")],
        ["sophrologie", "accompagnement du deuil"],
        [],
        [],
    ),
    (
        "d8",
        "",
        "M",
        "VINCENT",
        "Arnaud",
        "93",
        "",
        [("26160b", "L")],
        ["hypnothérapie", "thérapie de l'enfant et de l'adolescent"],
        [],
        [],
    ),
    (
        "d9",
        "DR",
        "MME",
        "GIRAUD",
        "Claire",
        "10",
        "SM54",
        [("26220", "L")],
        ["consultation d'aide à l'arrêt du tabac", "suivi du nourrisson et de l'enfant"],
        ["nouveaux_patients"],
        [],
    ),
    (
        "d10",
        "DR",
        "M",
        "FAURE",
        "Étienne",
        "10",
        "SM54",
        [("26160a", "L"), ("26220", "L")],
        ["médecine générale", "soins palliatifs à domicile"],
        [],
        [],
    ),
    (
        "d11",
        "",
        "M",
        "PERRIN",
        "Hervé",
        "21",
        "",
        [("26220", "L")],
        ["piluliers", "matériel de maintien à domicile"],
        [],
        [],
    ),
    (
        "d12",
        "DR",
        "MME",
        "COSTE",
        "Mireille",
        "40",
        "",
        [("26220", "L")],
        ["prothèses dentaires"],
        [],
        [],
    ),
    (
        "d13",
        "",
        "MME",
        "BRUN",
        "Nathalie",
        "50",
        "",
        [("26160b", "L")],
        ["suivi de grossesse à domicile", "rééducation périnéale"],
        ["domicile"],
        [],
    ),
    (
        "d14",
        "",
        "M",
        "MICHEL",
        "Sébastien",
        "60",
        "",
        [("26200", "L")],
        ["soins de plaies chroniques"],
        ["domicile"],
        [],
    ),
    (
        "d15",
        "",
        "MME",
        "ODDOUX",
        "Manon",
        "91",
        "",
        [("26220", "L")],
        ["rééducation des troubles du langage écrit", "bilan de la déglutition"],
        [],
        [],
    ),
]

# The questions, as a GP would type them; "expected" by handle; intent find or count.
QUERIES: list[dict] = [
    # profession and place
    {
        "text": "un kiné sur L'Union ?",
        "professions": ["70"],
        "communes": ["31561"],
        "expected": ["t8"],
    },
    {
        "text": "dentiste dieulefit",
        "professions": ["40"],
        "communes": ["26114"],
        "expected": ["d12"],
    },
    {
        "text": "IDE à Launaguet svp",
        "professions": ["60"],
        "communes": ["31282"],
        "expected": ["t5"],
    },
    {
        "text": "Je cherche une sage-femme au Poët-Laval",
        "professions": ["50"],
        "communes": ["26243"],
        "expected": ["d13"],
    },
    # a city covered in part
    {
        "text": "infirmier à Toulouse pour des soins à domicile",
        "professions": ["60"],
        "communes": ["31555"],
        "modalities": ["domicile"],
        "expected": ["t1", "t2"],
        "kind": "city_part",
    },
    {
        "text": "kiné toulouse",
        "professions": ["70"],
        "communes": ["31555"],
        "expected": ["t6", "t7"],
        "kind": "city_part",
    },
    {
        "text": "un psychologue dans le 31500",
        "professions": ["93"],
        "communes": ["31555"],
        "expected": ["t14"],
        "kind": "city_part",
    },
    {
        "text": "Combien de médecins généralistes sur Toulouse ?",
        "intent": "count",
        "professions": ["10"],
        "communes": ["31555"],
        "expected": ["t17", "t18"],
        "kind": "city_part",
    },
    # a need in other words than the declared activity
    {
        "text": "patient avec une escarre au sacrum, une infirmière à Dieulefit ?",
        "professions": ["60"],
        "communes": ["26114"],
        "activities": ["plaies"],
        "expected": ["d1"],
    },
    {
        "text": "qui peut s'occuper d'un ongle incarné vers Dieulefit",
        "communes": ["26114"],
        "activities": ["podologie"],
        "expected": ["d6"],
    },
    {
        "text": "mon patient veut arrêter de fumer, quelqu'un sur le secteur de Dieulefit ?",
        "sector": ["26114", "26045", "26243"],
        "activities": ["tabac"],
        "expected": ["d3", "d9"],
    },
    {
        "text": "IDE pour surveiller la tension à domicile à La Bégude",
        "professions": ["60"],
        "communes": ["26045"],
        "activities": ["hypertension"],
        "modalities": ["domicile"],
        "expected": ["d2"],
    },
    {
        "text": "kiné pour une bronchiolite à Toulouse",
        "professions": ["70"],
        "communes": ["31555"],
        "activities": ["respiratoire"],
        "expected": ["t7"],
    },
    {
        "text": "un kiné pour des vertiges à Dieulefit",
        "professions": ["70"],
        "communes": ["26114"],
        "activities": ["vertiges"],
        "expected": ["d4"],
    },
    {
        "text": "sage-femme pour rééduc du périnée à L'Union",
        "professions": ["50"],
        "communes": ["31561"],
        "activities": ["périnée"],
        "expected": ["t22"],
    },
    {
        "text": "pédicure pour un pied diabétique à L'Union",
        "professions": ["80"],
        "communes": ["31561"],
        "activities": ["diabétique"],
        "expected": ["t12"],
    },
    {
        "text": "un généraliste qui fait de la gynéco à L'Union",
        "professions": ["10"],
        "communes": ["31561"],
        "activities": ["gynécologie"],
        "expected": ["t18"],
    },
    {
        "text": "orthophoniste pour une dyslexie à Dieulefit",
        "professions": ["91"],
        "communes": ["26114"],
        "activities": ["langage écrit"],
        "expected": ["d15"],
    },
    {
        "text": "une IDE pour une fin de vie à domicile sur Dieulefit",
        "professions": ["60"],
        "communes": ["26114"],
        "activities": ["palliatif"],
        "modalities": ["domicile"],
        "expected": ["d1"],
    },
    {
        "text": "infirmière pour une prise de sang à dom à La Bégude-de-Mazenc",
        "professions": ["60"],
        "communes": ["26045"],
        "activities": ["prélèvement"],
        "modalities": ["domicile"],
        "expected": ["d2"],
    },
    {
        "text": "diét pour un enfant en surpoids à Toulouse",
        "professions": ["95"],
        "communes": ["31555"],
        "activities": ["surpoids"],
        "expected": ["t26"],
    },
    # lists read as OR
    {
        "text": "hypnose ou sophrologie à Dieulefit ?",
        "communes": ["26114"],
        "activities": ["hypnose|sophrologie"],
        "expected": ["d7"],
        "kind": "or_list",
    },
    {
        "text": "psy qui fait TCC / hypnose à L'Union ou Toulouse",
        "communes": ["31561", "31555"],
        "activities": ["tcc|hypnose"],
        "expected": ["t13", "t15"],
        "kind": "or_list",
    },
    {
        "text": "kiné ou ostéo sur Launaguet ?",
        "professions": ["70"],
        "communes": ["31282"],
        "expected": ["t9"],
        "kind": "or_list",
    },
    {
        "text": "un podologue ou un pédicure au Poët-Laval",
        "professions": ["80"],
        "communes": ["26243"],
        "expected": [],
        "kind": "or_list",
    },
    # every profession
    {
        "text": "Combien de soignants parlent arabe à L'Union ?",
        "intent": "count",
        "communes": ["31561"],
        "languages": ["arabe"],
        "expected": ["t4", "t18"],
        "kind": "every_profession",
    },
    {
        "text": "des professionnels qui parlent occitan à Toulouse ?",
        "communes": ["31555"],
        "languages": ["occitan"],
        "expected": ["t1"],
        "kind": "every_profession",
    },
    # children declared in words
    {
        "text": "un psy pour un ado à L'Union",
        "communes": ["31561"],
        "activities": ["adolescent"],
        "expected": ["t15"],
        "kind": "children",
    },
    {
        "text": "psychologue pour enfant au Poët-Laval",
        "professions": ["93"],
        "communes": ["26243"],
        "expected": ["d8"],
        "kind": "children",
    },
    # sectors by their head word
    {
        "text": "une infirmière sur les coteaux pour des ulcères ?",
        "professions": ["60"],
        "sector": ["31561", "31282"],
        "activities": ["ulcères"],
        "expected": ["t5"],
        "kind": "sector",
    },
    {
        "text": "combien de kinés dans le Jabron",
        "intent": "count",
        "professions": ["70"],
        "sector": ["26045", "26243"],
        "expected": ["d5"],
        "kind": "sector",
    },
    # one person once
    {
        "text": "généraliste à Dieulefit ou La Bégude",
        "professions": ["10"],
        "communes": ["26114", "26045"],
        "expected": ["d9", "d10"],
    },
    # nobody declares it: answered honestly
    {
        "text": "une orthophoniste à Launaguet",
        "professions": ["91"],
        "communes": ["31282"],
        "expected": [],
    },
    {
        "text": "kiné qui fait de la méthode Mézières à Dieulefit",
        "professions": ["70"],
        "communes": ["26114"],
        "activities": ["mézières"],
        "expected": [],
    },
    # names
    {"text": "le numéro du Dr Combes ?", "name": "Combes", "expected": ["t18"]},
    {"text": "Florian Chabert infirmier", "name": "Chabert", "expected": ["d2"]},
]

TERRITORY = {"31555", "31561", "31282", "26114", "26045", "26243"}
IN_PART = {"31200", "31500", "31240", "31140", "26220", "26160a", "26160b"}


def rpps(number: int) -> str:
    """An 11-digit Luhn-valid number in the 1097xxxxxxx range."""
    body = f"1097{number:06d}"
    total = 0
    for position, digit in enumerate(reversed(body)):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


def extract_line(person: tuple, number: str, postal: str, mode: str, serial: int) -> str:
    _, title, civility, last, first, profession, specialty, *_ = person
    insee, name = COMMUNES[postal]
    code = postal[:5]
    columns = [""] * 56
    columns[0:3] = ["8", number, "8" + number]
    columns[3:5] = ["DR", "Docteur"] if title else ["", ""]
    columns[5:7] = [civility, "Madame" if civility == "MME" else "Monsieur"]
    columns[7:13] = [last, first, profession, PROFESSIONS[profession], "C", "Civil"]
    if specialty:
        columns[13:17] = ["S", "Spécialité ordinale", specialty, SPECIALTIES[specialty]]
    columns[17:19] = [mode, "Libéral" if mode == "L" else "Salarié"]
    columns[23] = f"H{serial:011d}"
    columns[24] = f"CABINET {last}"
    columns[28] = str(3 + serial % 90)
    columns[30:33] = ["R", "Rue", "DES ÉCOLES"]
    columns[34] = f"{code} {name.upper()}"
    columns[35:40] = [code, insee, name, "", ""]
    columns[40] = f"05{36000000 + serial * 37:08d}"[:10]
    columns[54:56] = ["GENR01", "Activité de soin et de pharmacie"]
    return "|".join(columns) + "|"


def main(
    people: list[tuple] | None = None,
    queries: list[dict] | None = None,
    here: Path = HERE,
    communes: dict[str, tuple[str, str]] | None = None,
    first: int = 1,
    prefix: str = "h",
) -> None:
    """Write the three files of a set in ``here`` (this set's tables by default)."""
    people = PEOPLE if people is None else people
    queries = QUERIES if queries is None else queries
    COMMUNES.update(communes or {})
    numbers = {person[0]: rpps(first + index) for index, person in enumerate(people)}
    lines = [HEADER]
    serial = 0
    for person in people:
        for postal, mode in person[7]:
            serial += 1
            lines.append(extract_line(person, numbers[person[0]], postal, mode, serial))
    (here / "rpps_extract.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with (here / "cpts_enrichment.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["rpps", "matrix_id", "activities", "modalities", "languages"])
        for person in people:
            handle, *_rest, activities, modalities, languages = person
            plain = unicodedata.normalize("NFKD", person[3].lower()).encode("ascii", "ignore")
            matrix = f"@{handle}.{plain.decode()}:cpts.example".replace(" ", "")
            writer.writerow(
                [
                    numbers[handle],
                    matrix,
                    ";".join(activities),
                    ";".join(modalities),
                    ";".join(languages),
                ]
            )
    rows = []
    for number, query in enumerate(queries, start=1):
        expected = sorted(numbers[handle] for handle in query["expected"])
        intent = query.get("intent", "find")
        row = {
            "id": f"{prefix}{number:03d}",
            "text": query["text"],
            "intent": intent,
            "profession_codes": query.get("professions", []),
            "communes_insee": query.get("communes", []),
            "activities": query.get("activities", []),
            "modalities": query.get("modalities", []),
            "languages": query.get("languages", []),
            "kind": query.get("kind", ""),
            "expected_rpps": expected,
        }
        if query.get("sector"):
            row["sector"] = query["sector"]
            row["communes_insee"] = query["sector"]
        if query.get("name"):
            row["name"] = query["name"]
        if intent == "count":
            row["expected_count"] = len(expected)
        rows.append(json.dumps(row, ensure_ascii=False))
    (here / "queries.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
