"""Write the third held-out set's data files: a synthetic CPTS du Pays d'Issoire.

Everything here is invented (names, RPPS numbers, addresses, phones); only the communes,
their INSEE codes and postal codes are real. The professionals and their declared
activities are written by hand below, in the words members of a rural Auvergne CPTS
would type in their directory; names, numbers and streets are drawn with a fixed seed,
so the files are the same from one run to the next. ``expected_heldout3.py`` then
computes the questions' ground truth from the files this script writes.
"""

from __future__ import annotations

import csv
import random
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20261207

# key: (INSEE, official name, postal code, postal line)
COMMUNES = {
    "ISS": ("63178", "Issoire", "63500", "ISSOIRE"),
    "BRO": ("63054", "Le Broc", "63500", "LE BROC"),
    "PER": ("63275", "Perrier", "63500", "PERRIER"),
    "ORB": ("63261", "Orbeil", "63500", "ORBEIL"),
    "AUF": ("63160", "Aulhat-Flat", "63500", "AULHAT FLAT"),
    "SAU": ("63415", "Sauxillanges", "63490", "SAUXILLANGES"),
    "SGL": ("63352", "Saint-Germain-Lembron", "63340", "ST GERMAIN LEMBRON"),
    "CHX": ("63080", "Champeix", "63320", "CHAMPEIX"),
    "DRV": ("63109", "Les Deux-Rives", "63320", "LES DEUX RIVES"),
    # outside the territory
    "VAR": ("63444", "Varennes-sur-Usson", "63500", "VARENNES SUR USSON"),
    "NES": ("63250", "Neschers", "63320", "NESCHERS"),
    "CLF": ("63113", "Clermont-Ferrand", "63000", "CLERMONT FERRAND"),
    "BRA": ("63050", "Brassac-les-Mines", "63570", "BRASSAC LES MINES"),
}

PROFESSIONS = {
    "10": "Médecin",
    "21": "Pharmacien",
    "40": "Chirurgien-Dentiste",
    "50": "Sage-Femme",
    "60": "Infirmier",
    "70": "Masseur-Kinésithérapeute",
    "80": "Pédicure-Podologue",
    "91": "Orthophoniste",
    "92": "Orthoptiste",
    "93": "Psychologue",
    "94": "Ergothérapeute",
    "95": "Diététicien",
    "96": "Psychomotricien",
}
SAVOIR_FAIRE = {
    "SM54": "Médecine Générale",
    "SM40": "Pédiatrie",
    "SM42": "Psychiatrie",
    "SM04": "Cardiologie et maladies vasculaires",
    "SM20": "Gynécologie-obstétrique",
    "SM38": "Ophtalmologie",
    "SM18": "Gériatrie",
    "SCD01": "Orthopédie dento-faciale",
    "SM15": "Dermatologie et vénéréologie",
    "SM41": "Pneumologie",
}
AUTHORITY = {
    "10": "CNOM",
    "21": "CNOP",
    "40": "CNOCD",
    "50": "CNOSF",
    "60": "CNOI",
    "70": "CNOMK",
    "80": "CNOPP",
}

# A line: (commune key, mode L/S, "complément point géographique").
# A person: (key, profession, savoir-faire, lines, activities, modalities, languages, name)
# Activities, modalities and languages empty and no "*" in the key: no CPTS row.
MG = "SM54"
PEOPLE: list[tuple] = [
    # general practitioners
    (
        "mg1",
        "10",
        MG,
        [("ISS", "L", "")],
        ["petite chirurgie (kystes, sutures)", "pose de stérilet et implant contraceptif"],
        ["nouveaux_patients", "acces_pmr"],
        ["anglais"],
        None,
    ),
    (
        "mg2",
        "10",
        MG,
        [("ISS", "L", ""), ("CLF", "S", "")],
        ["médecine du sport et certificats", "infiltrations articulaires"],
        ["samedi"],
        [],
        None,
    ),
    (
        "mg3",
        "10",
        MG,
        [("ISS", "L", "")],
        ["suivi des patients sous traitement de substitution aux opiacés", "addictologie alcool"],
        ["soins_non_programmes"],
        [],
        None,
    ),
    (
        "mg4",
        "10",
        MG,
        [("ISS", "L", "")],
        ["troubles cognitifs de la personne âgée", "visites en maison de retraite"],
        ["domicile"],
        [],
        None,
    ),
    (
        "mg5",
        "10",
        MG,
        [("ISS", "L", "")],
        ["acupuncture médicale", "prise en charge de la douleur chronique"],
        ["teleconsultation"],
        ["espagnol"],
        ("CHABRIER", "Étienne", "M"),
    ),
    (
        "mg6",
        "10",
        MG,
        [("ISS", "L", "")],
        ["frottis et suivi gynécologique", "pose de stérilet et implant contraceptif"],
        ["nouveaux_patients"],
        [],
        None,
    ),
    ("mg7", "10", MG, [("ISS", "L", "")], [], [], [], None),
    (
        "mg8",
        "10",
        MG,
        [("ISS", "L", "")],
        ["échographie au cabinet"],
        ["soins_non_programmes", "samedi"],
        ["portugais"],
        None,
    ),
    ("mg9", "10", MG, [("ISS", "L", "")], [], [], [], None),
    (
        "mg10",
        "10",
        MG,
        [("BRO", "L", "")],
        ["MAPA / holter tensionnel", "ECG au cabinet"],
        ["domicile"],
        [],
        None,
    ),
    (
        "mg11",
        "10",
        MG,
        [("PER", "L", "")],
        ["obésité et surpoids", "éducation thérapeutique diabète type 2"],
        ["nouveaux_patients"],
        [],
        None,
    ),
    ("mg12", "10", MG, [("ORB", "L", "")], [], [], [], None),
    (
        "mg13",
        "10",
        MG,
        [("AUF", "L", "FLAT")],
        ["gestes d'urgence et sutures"],
        ["domicile", "samedi"],
        [],
        None,
    ),
    (
        "mg14",
        "10",
        MG,
        [("SAU", "L", "")],
        ["médecine rurale polyvalente", "petite chirurgie (kystes, sutures)"],
        ["domicile", "nouveaux_patients"],
        [],
        None,
    ),
    ("mg15", "10", MG, [("SAU", "L", "")], [], [], [], None),
    (
        "mg16",
        "10",
        MG,
        [("SGL", "L", "")],
        ["suivi de grossesse (1er trimestre)", "frottis et suivi gynécologique"],
        ["domicile"],
        ["allemand"],
        None,
    ),
    (
        "mg17",
        "10",
        MG,
        [("SGL", "L", "")],
        ["soins palliatifs à domicile, coordination HAD"],
        ["domicile"],
        [],
        None,
    ),
    (
        "mg18",
        "10",
        MG,
        [("CHX", "L", "MARSAT")],
        ["dermatoscopie (dépistage mélanome)"],
        ["samedi"],
        [],
        None,
    ),
    ("mg19", "10", MG, [("CHX", "L", "")], [], [], [], None),
    (
        "mg20",
        "10",
        MG,
        [("DRV", "L", "CHIDRAC")],
        ["vaccinations du voyageur"],
        ["nouveaux_patients", "teleconsultation"],
        ["anglais"],
        None,
    ),
    (
        "mg21",
        "10",
        MG,
        [("DRV", "L", "")],
        ["insomnie et apnées du sommeil", "prise en charge de la douleur chronique"],
        [],
        [],
        None,
    ),
    ("mg22", "10", MG, [("ISS", "S", "")], [], [], [], None),
    # other doctors
    (
        "ped1",
        "10",
        "SM40",
        [("ISS", "L", "")],
        [
            "suivi des anciens prématurés",
            "allergies alimentaires de l'enfant",
            "troubles du sommeil du nourrisson",
        ],
        ["nouveaux_patients", "samedi"],
        [],
        None,
    ),
    (
        "psy1",
        "10",
        "SM42",
        [("ISS", "S", "")],
        ["bipolarité", "dépression du sujet âgé"],
        ["teleconsultation"],
        [],
        None,
    ),
    (
        "car1",
        "10",
        "SM04",
        [("ISS", "L", "")],
        ["tests d'effort sur vélo", "suivi des insuffisants cardiaques", "écho-doppler cardiaque"],
        [],
        [],
        None,
    ),
    (
        "gyn1",
        "10",
        "SM20",
        [("ISS", "L", "")],
        ["suivi de l'endométriose", "ménopause et troubles hormonaux"],
        [],
        ["arabe"],
        None,
    ),
    (
        "oph1",
        "10",
        "SM38",
        [("ISS", "L", "")],
        ["dépistage et suivi du glaucome", "rétinopathie diabétique (fond d'oeil)"],
        ["acces_pmr"],
        [],
        None,
    ),
    (
        "ger1",
        "10",
        "SM18",
        [("ISS", "S", "")],
        ["bilan mémoire (consultation hospitalière)"],
        [],
        [],
        None,
    ),
    # nurses
    (
        "i1",
        "60",
        "",
        [("ISS", "L", "")],
        ["bilans sanguins à domicile", "injections et perfusions", "soins de chambre implantable"],
        ["domicile"],
        [],
        None,
    ),
    (
        "i2",
        "60",
        "",
        [("ISS", "L", ""), ("VAR", "L", "")],
        ["pansements complexes et ulcères de jambe", "escarres"],
        ["domicile", "samedi"],
        [],
        None,
    ),
    (
        "i3",
        "60",
        "",
        [("ISS", "L", "")],
        ["diabète : insuline et surveillance glycémie"],
        ["domicile"],
        ["portugais"],
        None,
    ),
    (
        "i4",
        "60",
        "",
        [("ISS", "L", "")],
        ["soins palliatifs et fin de vie", "pompes à morphine (PCA)"],
        ["domicile"],
        [],
        None,
    ),
    (
        "i5",
        "60",
        "",
        [("ISS", "L", "")],
        ["bandes de contention", "pansements complexes et ulcères de jambe"],
        ["domicile"],
        ["turc"],
        None,
    ),
    ("i6", "60", "", [("ISS", "L", "")], [], [], [], None),
    (
        "i7",
        "60",
        "",
        [("ISS", "L", "")],
        ["préparation des piluliers", "toilettes et aide à la prise des médicaments"],
        ["domicile"],
        [],
        None,
    ),
    (
        "i8",
        "60",
        "",
        [("ISS", "L", "")],
        ["bilans sanguins à domicile", "vaccins grippe et covid"],
        ["domicile", "samedi"],
        [],
        None,
    ),
    ("i9", "60", "", [("ISS", "L", "")], [], [], [], None),
    (
        "i10",
        "60",
        "",
        [("ISS", "L", "")],
        ["Éducation thérapeutique patient diabétique", "soins de stomie"],
        ["domicile", "nouveaux_patients"],
        [],
        None,
    ),
    ("i11", "60", "", [("ISS", "S", "")], [], [], [], None),
    (
        "i12",
        "60",
        "",
        [("BRO", "L", "")],
        ["injections et perfusions", "ablation fils / agrafes"],
        ["domicile"],
        [],
        None,
    ),
    ("i13", "60", "", [("BRO", "L", "")], [], [], [], None),
    (
        "i14",
        "60",
        "",
        [("PER", "L", "")],
        ["bilans sanguins à domicile", "surveillance post-op orthopédie"],
        ["domicile"],
        ["portugais"],
        None,
    ),
    (
        "i15",
        "60",
        "",
        [("PER", "L", "")],
        ["soins palliatifs et fin de vie"],
        ["domicile", "samedi"],
        [],
        None,
    ),
    (
        "i16",
        "60",
        "",
        [("ORB", "L", "")],
        ["pansements complexes et ulcères de jambe", "ablation fils / agrafes"],
        ["domicile"],
        [],
        None,
    ),
    ("i17", "60", "", [("AUF", "L", "FLAT")], ["sondages urinaires"], ["domicile"], [], None),
    ("i18", "60", "", [("AUF", "L", "")], [], [], [], None),
    (
        "i19",
        "60",
        "",
        [("SAU", "L", "")],
        ["bilans sanguins à domicile", "diabète : insuline et surveillance glycémie"],
        ["domicile", "samedi"],
        [],
        None,
    ),
    (
        "i20",
        "60",
        "",
        [("SAU", "L", "")],
        ["nutrition entérale et alimentation par sonde", "soins palliatifs et fin de vie"],
        ["domicile"],
        [],
        None,
    ),
    ("i21", "60", "", [("SAU", "L", "")], [], [], [], None),
    (
        "i22",
        "60",
        "",
        [("SGL", "L", "")],
        ["injections et perfusions", "escarres"],
        ["domicile"],
        [],
        None,
    ),
    (
        "i23",
        "60",
        "",
        [("SGL", "L", "")],
        ["bandes de contention"],
        ["domicile", "samedi"],
        ["espagnol"],
        None,
    ),
    (
        "i24",
        "60",
        "",
        [("CHX", "L", "MARSAT")],
        ["bilans sanguins à domicile", "pansements complexes et ulcères de jambe"],
        ["domicile"],
        [],
        None,
    ),
    ("i25", "60", "", [("CHX", "L", "")], [], [], [], None),
    (
        "i26",
        "60",
        "",
        [("DRV", "L", "SAINT CIRGUES SUR COUZE")],
        ["diabète : insuline et surveillance glycémie", "préparation des piluliers"],
        ["domicile"],
        [],
        None,
    ),
    (
        "i27",
        "60",
        "",
        [("DRV", "L", "CHIDRAC")],
        ["vaccins grippe et covid", "injections et perfusions"],
        ["domicile", "samedi"],
        [],
        None,
    ),
    (
        "i28",
        "60",
        "",
        [("ISS", "L", "")],
        ["infirmière Asalée (dépistage BPCO, diabète)"],
        [],
        [],
        None,
    ),
    # physiotherapists
    (
        "k1",
        "70",
        "",
        [("ISS", "L", "")],
        ["rééducation après prothèse de hanche ou genou", "rééducation du sportif"],
        [],
        [],
        None,
    ),
    (
        "k2",
        "70",
        "",
        [("ISS", "L", ""), ("SAU", "L", "")],
        ["kiné respiratoire des bébés (bronchiolite)", "désencombrement bronchique adulte"],
        ["samedi", "soins_non_programmes"],
        [],
        None,
    ),
    (
        "k3",
        "70",
        "",
        [("ISS", "L", "")],
        ["drainage lymphatique (lymphoedème)", "rééducation après cancer du sein"],
        [],
        [],
        None,
    ),
    (
        "k4",
        "70",
        "",
        [("ISS", "L", "")],
        ["vertiges et rééducation vestibulaire"],
        [],
        ["anglais"],
        None,
    ),
    ("k5", "70", "", [("ISS", "L", "")], [], [], [], None),
    (
        "k6",
        "70",
        "",
        [("ISS", "L", "")],
        ["mal de dos chronique / école du dos", "rééducation des ATM (mâchoire)"],
        ["domicile"],
        [],
        None,
    ),
    ("k7", "70", "", [("ISS", "L", "")], ["rééducation uro-gynécologique"], [], [], None),
    ("k8", "70", "", [("ISS", "L", "")], [], [], [], None),
    (
        "k9",
        "70",
        "",
        [("BRO", "L", "")],
        [
            "prévention des chutes chez la personne âgée",
            "rééducation neurologique (AVC, Parkinson)",
        ],
        ["domicile"],
        [],
        None,
    ),
    (
        "k10",
        "70",
        "",
        [("PER", "L", "")],
        ["kiné respiratoire des bébés (bronchiolite)"],
        ["samedi"],
        ["portugais"],
        None,
    ),
    (
        "k11",
        "70",
        "",
        [("SAU", "L", "")],
        [
            "rééducation neurologique (AVC, Parkinson)",
            "prévention des chutes chez la personne âgée",
        ],
        ["domicile"],
        [],
        None,
    ),
    ("k12", "70", "", [("SAU", "L", "")], [], [], [], None),
    (
        "k13",
        "70",
        "",
        [("SGL", "L", "")],
        ["rééducation après prothèse de hanche ou genou", "mal de dos chronique / école du dos"],
        ["domicile"],
        [],
        None,
    ),
    (
        "k14",
        "70",
        "",
        [("CHX", "L", "")],
        ["rééducation de la main et du poignet", "rééducation du sportif"],
        [],
        [],
        None,
    ),
    (
        "k15",
        "70",
        "",
        [("DRV", "L", "")],
        ["scoliose de l'ado", "rééducation uro-gynécologique"],
        [],
        [],
        None,
    ),
    ("k16", "70", "", [("ISS", "L", "")], [], [], [], None),
    # pharmacists
    (
        "p1",
        "21",
        "",
        [("ISS", "L", "")],
        [
            "préparation des doses à administrer (PDA)",
            "matériel médical : location lits et fauteuils",
        ],
        ["acces_pmr", "samedi"],
        [],
        None,
    ),
    (
        "p2",
        "21",
        "",
        [("ISS", "L", "")],
        ["vaccination à l'officine", "tests angine et grippe"],
        ["samedi"],
        ["anglais"],
        None,
    ),
    ("p3", "21", "", [("ISS", "L", "")], [], [], [], None),
    (
        "p4",
        "21",
        "",
        [("ISS", "L", "")],
        ["orthopédie : attelles, ceintures, bas sur mesure"],
        [],
        [],
        None,
    ),
    ("p5", "21", "", [("ISS", "S", "")], [], [], [], None),
    (
        "p6",
        "21",
        "",
        [("SAU", "L", "")],
        ["portage des médicaments à domicile", "vaccination à l'officine"],
        ["domicile"],
        [],
        None,
    ),
    (
        "p7",
        "21",
        "",
        [("SGL", "L", "")],
        ["matériel médical : location lits et fauteuils"],
        [],
        [],
        None,
    ),
    (
        "p8",
        "21",
        "",
        [("CHX", "L", "")],
        ["portage des médicaments à domicile"],
        ["domicile", "samedi"],
        [],
        None,
    ),
    ("p9", "21", "", [("DRV", "L", "")], [], [], [], None),
    (
        "p10",
        "21",
        "",
        [("PER", "L", "")],
        ["tests angine et grippe", "entretiens femmes enceintes et asthmatiques"],
        [],
        [],
        None,
    ),
    # dentists
    (
        "d1",
        "40",
        "",
        [("ISS", "L", "")],
        ["soins des patients en situation de handicap", "sédation MEOPA"],
        ["acces_pmr"],
        [],
        None,
    ),
    (
        "d2",
        "40",
        "",
        [("ISS", "L", "")],
        ["implants et prothèses", "urgences dentaires du jour"],
        ["soins_non_programmes"],
        [],
        None,
    ),
    (
        "d3",
        "40",
        "SCD01",
        [("ISS", "L", "")],
        ["orthodontie adulte (gouttières)", "orthodontie enfant"],
        [],
        [],
        None,
    ),
    ("d4", "40", "", [("ISS", "L", "")], [], [], [], None),
    (
        "d5",
        "40",
        "",
        [("SAU", "L", "")],
        ["dentisterie des tout-petits", "urgences dentaires du jour"],
        ["soins_non_programmes", "samedi"],
        [],
        None,
    ),
    ("d6", "40", "", [("SGL", "L", "")], [], [], [], None),
    ("d7", "40", "", [("CHX", "L", "")], ["implants et prothèses"], [], [], None),
    # midwives
    (
        "s1",
        "50",
        "",
        [("ISS", "L", "")],
        [
            "préparation naissance et parentalité",
            "suivi gynécologique de prévention et contraception",
        ],
        [],
        [],
        None,
    ),
    (
        "s2",
        "50",
        "",
        [("ISS", "L", "")],
        ["accompagnement allaitement", "sortie de maternité à domicile (PRADO)"],
        ["domicile"],
        ["arabe"],
        None,
    ),
    (
        "s3",
        "50",
        "",
        [("SGL", "L", "")],
        ["rééducation du périnée après accouchement", "EPP (entretien du 4e mois)"],
        [],
        [],
        None,
    ),
    (
        "s4",
        "50",
        "",
        [("CHX", "L", "")],
        ["IVG médicamenteuse en ville", "suivi gynécologique de prévention et contraception"],
        ["teleconsultation"],
        [],
        None,
    ),
    # speech therapists, orthoptist, podiatrists
    (
        "o1",
        "91",
        "",
        [("ISS", "L", "")],
        ["bégaiement enfant et adulte", "troubles du langage écrit (dyslexie, dysorthographie)"],
        [],
        [],
        None,
    ),
    (
        "o2",
        "91",
        "",
        [("ISS", "L", "")],
        ["retard de parole et de langage du jeune enfant", "troubles de l'oralité alimentaire"],
        [],
        [],
        None,
    ),
    (
        "o3",
        "91",
        "",
        [("ISS", "L", "")],
        ["aphasie après AVC", "maladies neuro-évolutives (Alzheimer, Parkinson)"],
        ["domicile"],
        [],
        None,
    ),
    (
        "o4",
        "91",
        "",
        [("SAU", "L", "")],
        ["troubles du langage écrit (dyslexie, dysorthographie)", "dyscalculie"],
        [],
        [],
        None,
    ),
    ("o5", "91", "", [("DRV", "L", "")], [], [], [], None),
    (
        "t1",
        "92",
        "",
        [("ISS", "L", "")],
        ["rééducation orthoptique", "bilan basse vision"],
        [],
        [],
        None,
    ),
    (
        "po1",
        "80",
        "",
        [("ISS", "L", "")],
        ["semelles orthopédiques sur mesure", "bilan de la marche chez l'enfant"],
        [],
        [],
        None,
    ),
    (
        "po2",
        "80",
        "",
        [("ISS", "L", "")],
        ["soins du pied diabétique (grade 2-3)", "ongles épaissis et cors"],
        ["domicile"],
        [],
        None,
    ),
    (
        "po3",
        "80",
        "",
        [("SGL", "L", "")],
        ["soins du pied diabétique (grade 2-3)"],
        ["domicile"],
        [],
        None,
    ),
    (
        "po4",
        "80",
        "",
        [("CHX", "L", "")],
        ["semelles orthopédiques sur mesure", "podologie sportive (coureurs)"],
        [],
        [],
        None,
    ),
    # psychologists and others
    (
        "y1",
        "93",
        "",
        [("ISS", "L", ""), ("CHX", "L", "")],
        ["psychotrauma (accidents, violences)", "thérapies cognitivo-comportementales (TCC)"],
        ["teleconsultation"],
        ["anglais"],
        None,
    ),
    (
        "y2",
        "93",
        "",
        [("ISS", "L", "")],
        ["deuil et deuil périnatal", "accompagnement des patients atteints de cancer"],
        [],
        ["LSF"],
        None,
    ),
    (
        "y3",
        "93",
        "",
        [("ISS", "L", "")],
        [
            "souffrance au travail / épuisement professionnel",
            "troubles du comportement alimentaire",
        ],
        ["teleconsultation"],
        [],
        None,
    ),
    (
        "y4",
        "93",
        "",
        [("ISS", "L", "")],
        [
            "bilan psychométrique (QI, haut potentiel)",
            "guidance parentale",
            "ados et jeunes adultes",
        ],
        [],
        [],
        None,
    ),
    (
        "y5",
        "93",
        "",
        [("PER", "L", "")],
        ["thérapies cognitivo-comportementales (TCC)", "hypnothérapie"],
        [],
        [],
        None,
    ),
    (
        "y6",
        "93",
        "",
        [("SAU", "L", "")],
        ["ados et jeunes adultes", "addiction aux écrans"],
        ["teleconsultation"],
        [],
        None,
    ),
    (
        "n1",
        "95",
        "",
        [("ISS", "L", "")],
        ["rééquilibrage alimentaire", "alimentation sans gluten"],
        ["teleconsultation"],
        [],
        None,
    ),
    (
        "n2",
        "95",
        "",
        [("CHX", "L", "")],
        ["dénutrition de la personne âgée", "alimentation et sport"],
        ["domicile"],
        [],
        None,
    ),
    (
        "e1",
        "94",
        "",
        [("ISS", "L", "")],
        ["aménagement du domicile", "essais et choix de fauteuil roulant"],
        ["domicile"],
        [],
        None,
    ),
    (
        "m1",
        "96",
        "",
        [("SAU", "L", "")],
        ["TDAH et troubles de l'attention", "retards psychomoteurs du jeune enfant"],
        [],
        [],
        None,
    ),
    # outside the territory (some with a CPTS row: members working just outside)
    ("x1", "10", MG, [("CLF", "L", "")], [], [], [], ("CHABRIER", "Étienne", "M")),
    ("x2", "10", MG, [("CLF", "L", "")], [], [], [], None),
    ("x3", "10", "SM15", [("CLF", "L", "")], [], [], [], None),
    ("x4", "10", "SM41", [("CLF", "S", "")], [], [], [], None),
    (
        "x5",
        "60",
        "",
        [("VAR", "L", "")],
        ["bilans sanguins à domicile", "pansements complexes et ulcères de jambe"],
        ["domicile"],
        ["portugais"],
        None,
    ),
    ("x6", "60", "", [("VAR", "L", "")], [], [], [], None),
    (
        "x7",
        "60",
        "",
        [("NES", "L", "")],
        ["diabète : insuline et surveillance glycémie"],
        ["domicile"],
        [],
        None,
    ),
    ("x8", "70", "", [("NES", "L", "")], ["rééducation de la main et du poignet"], [], [], None),
    ("x9", "70", "", [("BRA", "L", "")], [], [], [], None),
    ("x10", "92", "", [("BRA", "L", "")], [], [], [], None),
    ("x11", "80", "", [("NES", "L", "")], ["semelles orthopédiques sur mesure"], [], [], None),
    (
        "x12",
        "21",
        "",
        [("VAR", "L", "")],
        ["portage des médicaments à domicile"],
        ["domicile"],
        [],
        None,
    ),
    ("x13", "93", "", [("CLF", "L", "")], [], [], [], None),
    ("x14", "40", "", [("BRA", "L", "")], [], [], [], None),
    ("x15", "50", "", [("CLF", "S", "")], [], [], [], None),
    ("x16", "10", MG, [("NES", "L", "")], [], [], [], None),
]

SURNAMES = (
    "MONTEIL VIALLE BOUDON FAUCHER ROUGIER TIXIER DUCROS MALLET ESBELIN BESSE CHASSAING "
    "COUDERT GIRAUD PRADIER ROCHE VERNET MAZET ARNAUD FAURE PEREIRA YILMAZ DA SILVA "
    "BARTHÉLÉMY CHAMBON DELAIRE GOURBEYRE JOUVE LAVERGNE MERLE NUGEYRE OLLIER PAGÈS "
    "QUINTY RAYNAUD SALLES TEYSSIER VIGNAL AUBERT BRUGIÈRE COSTE DOUARE ESTIVAL FOURNIER "
    "GAILLARD HUGON IMBERT JARRIGE LAFARGE MARTINS NOËL OZANNE PELISSIER RIBES SABY "
    "TOURNADRE VACHER BOYER CHAPUT DUMAS ÉTIENNE FERREIRA GUITTARD HÉRAUD LEBRAT "
    "MAGNE NEYRIAL PONS RIGAUD SOULIER TAILLANDIER VEDRINE BOURDIER CELLIER DESCOEUR "
    "FABRE GENESTE HABRIAL LAURENT MOREL PERRET ROUX SAUVADET TERRASSE VALLAT "
    "AYMARD BLANCHET CROZET DELMAS ÉCHAVIDRE FRADIN GARDETTE JOUBERT LE MOAL MORANGE "
    "PIGNOL RONGIER SERRE TROCMÉ VERDIER BAPTISTE COURTADON DUBOIS FOURNET GOYON "
    "KAYA MONTAGNON NOUVEL PETIT RAMBAUD SIMONET THIOLLIER VIDAL BENOÎT CHARBONNEL "
    "DOUSSET GERMAIN LOPES MALET POUGHEON RICHARD SOUCHAL TOURRET"
).split()
FIRST_NAMES = {
    "M": "Julien Thomas Nicolas Pierre Antoine Mathieu Sébastien Jérôme Romain Guillaume "
    "Laurent Benoît Cédric Damien Florian Hugo Louis Maxime Olivier Yannick Rémi "
    "Vincent Bruno Fabien Kevin Gaël Mehmet João".split(),
    "MME": "Marie Camille Julie Émilie Sandrine Nathalie Céline Aurélie Élodie Laure "
    "Sophie Pauline Claire Manon Léa Chloé Anaïs Hélène Isabelle Mélanie Valérie "
    "Agnès Coralie Fanny Justine Maëlle Ana Ayşe Inès".split(),
}
STREETS = [
    ("R", "Rue", "DU PONTEIL"),
    ("AV", "Avenue", "DE LA REPUBLIQUE"),
    ("BD", "Boulevard", "TRIOZON BAYLE"),
    ("R", "Rue", "DE LA BOUCHERIE"),
    ("PL", "Place", "DE LA HALLE"),
    ("R", "Rue", "DES FOSSES"),
    ("CHE", "Chemin", "DES VIGNES"),
    ("R", "Rue", "DU MOULIN"),
    ("AV", "Avenue", "DU LEMBRON"),
    ("RTE", "Route", "DE CLERMONT"),
    ("R", "Rue", "DE L EGLISE"),
    ("ALL", "Allée", "DES TILLEULS"),
]

HEADER = (
    "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Code civilité d'exercice|"
    "Libellé civilité d'exercice|Code civilité|Libellé civilité|Nom d'exercice|Prénom d'exercice|"
    "Code profession|Libellé profession|Code catégorie professionnelle|"
    "Libellé catégorie professionnelle|Code type savoir-faire|Libellé type savoir-faire|"
    "Code savoir-faire|Libellé savoir-faire|Code mode exercice|Libellé mode exercice|"
    "Numéro SIRET site|Numéro SIREN site|Numéro FINESS site|"
    "Numéro FINESS établissement juridique|Identifiant technique de la structure|"
    "Raison sociale site|Enseigne commerciale site|Complément destinataire (coord. structure)|"
    "Complément point géographique (coord. structure)|Numéro Voie (coord. structure)|"
    "Indice répétition voie (coord. structure)|Code type de voie (coord. structure)|"
    "Libellé type de voie (coord. structure)|Libellé Voie (coord. structure)|"
    "Mention distribution (coord. structure)|Bureau cedex (coord. structure)|"
    "Code postal (coord. structure)|Code commune (coord. structure)|"
    "Libellé commune (coord. structure)|Code pays (coord. structure)|"
    "Libellé pays (coord. structure)|Téléphone (coord. structure)|"
    "Téléphone 2 (coord. structure)|Télécopie (coord. structure)|"
    "Adresse e-mail (coord. structure)|Code Département (structure)|"
    "Libellé Département (structure)|Ancien identifiant de la structure|"
    "Autorité d'enregistrement|Code secteur d'activité|Libellé secteur d'activité|"
    "Code section tableau pharmaciens|Libellé section tableau pharmaciens|Code rôle|"
    "Libellé rôle|Code genre activité|Libellé genre activité|"
)
COLUMNS = HEADER.rstrip("|").split("|")


def luhn_digit(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return str((10 - total % 10) % 10)


def draw_rpps(rng: random.Random, used: set[str]) -> str:
    while True:
        body = "1098" + f"{rng.randrange(10**6):06d}"
        number = body + luhn_digit(body)
        if number not in used:
            used.add(number)
            return number


def ascii_lower(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return plain.replace(" ", "-").replace("'", "-")


def site(profession: str, surname: str, mode: str, commune: str) -> tuple[str, str, str]:
    """Structure name, sector code and label for a line."""
    if mode == "S" and commune == "ISS":
        return "CENTRE HOSPITALIER PAUL ARDIER", "SA01", "Etablissement public de santé"
    if mode == "S":
        return "CENTRE HOSPITALIER UNIVERSITAIRE", "SA01", "Etablissement public de santé"
    if profession == "21":
        return f"PHARMACIE {surname}", "SA33", "Pharmacie d'officine"
    return f"CABINET {surname}", "SA08", "Cabinet de groupe"


def extract_line(rng: random.Random, person: tuple, name: tuple, rpps: str, line: tuple) -> str:
    _key, profession, savoir, _lines, *_rest = person
    surname, first, civility = name
    commune_key, mode, complement = line
    insee, official, postal, postal_line = COMMUNES[commune_key]
    structure, sector, sector_label = site(profession, surname, mode, commune_key)
    street = STREETS[rng.randrange(len(STREETS))] if not complement or rng.random() < 0.5 else None
    siret = "".join(str(rng.randrange(10)) for _ in range(13))
    siret += luhn_digit(siret)
    doctor = profession == "10" or (profession == "40" and rng.random() < 0.7)
    values = {
        "Type d'identifiant PP": "8",
        "Identifiant PP": rpps,
        "Identification nationale PP": "8" + rpps,
        "Code civilité d'exercice": "DR" if doctor else "",
        "Libellé civilité d'exercice": "Docteur" if doctor else "",
        "Code civilité": civility,
        "Libellé civilité": "Monsieur" if civility == "M" else "Madame",
        "Nom d'exercice": surname,
        "Prénom d'exercice": first,
        "Code profession": profession,
        "Libellé profession": PROFESSIONS[profession],
        "Code catégorie professionnelle": "C",
        "Libellé catégorie professionnelle": "Civil",
        "Code type savoir-faire": "S" if savoir else "",
        "Libellé type savoir-faire": "Spécialité ordinale" if savoir else "",
        "Code savoir-faire": savoir,
        "Libellé savoir-faire": SAVOIR_FAIRE.get(savoir, ""),
        "Code mode exercice": mode,
        "Libellé mode exercice": "Libéral" if mode == "L" else "Salarié",
        "Numéro SIRET site": siret,
        "Numéro SIREN site": siret[:9],
        "Identifiant technique de la structure": "C" + siret,
        "Raison sociale site": structure,
        "Enseigne commerciale site": structure,
        "Complément point géographique (coord. structure)": complement,
        "Numéro Voie (coord. structure)": str(rng.randrange(1, 90)) if street else "",
        "Code type de voie (coord. structure)": street[0] if street else "",
        "Libellé type de voie (coord. structure)": street[1] if street else "",
        "Libellé Voie (coord. structure)": street[2] if street else "",
        "Bureau cedex (coord. structure)": f"{postal} {postal_line}",
        "Code postal (coord. structure)": postal,
        "Code commune (coord. structure)": insee,
        "Libellé commune (coord. structure)": official,
        "Téléphone (coord. structure)": f"046571{rng.randrange(10000):04d}",
        "Adresse e-mail (coord. structure)": (
            f"{ascii_lower(surname)}.cabinet@example.org" if rng.random() < 0.3 else ""
        ),
        "Ancien identifiant de la structure": "3" + siret,
        "Autorité d'enregistrement": "/".join([AUTHORITY.get(profession, "ARS")] * 3),
        "Code secteur d'activité": sector,
        "Libellé secteur d'activité": sector_label,
        "Code section tableau pharmaciens": ""
        if profession != "21"
        else "A"
        if mode == "L"
        else "D",
        "Libellé section tableau pharmaciens": ""
        if profession != "21"
        else "Pharmacien titulaire d'officine"
        if mode == "L"
        else "Pharmacien adjoint, remplaçant ou gérant",
        "Code rôle": "FON-01" if mode == "L" else "FON-03",
        "Libellé rôle": "Titulaire de cabinet" if mode == "L" else "Salarié",
        "Code genre activité": "GENR01",
        "Libellé genre activité": "Activité de soin et de pharmacie",
    }
    return "|".join(values.get(column, "") for column in COLUMNS) + "|"


def draw_name(rng: random.Random, used: set[tuple[str, str]]) -> tuple[str, str, str]:
    while True:
        civility = rng.choice(["M", "MME"])
        name = (rng.choice(SURNAMES), rng.choice(FIRST_NAMES[civility]), civility)
        if name[:2] not in used:
            used.add(name[:2])
            return name


def main() -> None:
    rng = random.Random(SEED)
    numbers: set[str] = set()
    names: set[tuple[str, str]] = {("CHABRIER", "Étienne")}
    lines = [HEADER]
    rows = []
    matrix_ids: set[str] = set()
    for person in PEOPLE:
        _key, _profession, _savoir, person_lines, activities, modalities, languages, fixed = person
        name = fixed or draw_name(rng, names)
        rpps = draw_rpps(rng, numbers)
        for line in person_lines:
            lines.append(extract_line(rng, person, name, rpps, line))
        if activities or modalities or languages:
            matrix = f"@{ascii_lower(name[1])}.{ascii_lower(name[0])}"
            while f"{matrix}:cpts.local" in matrix_ids:
                matrix += "2"
            matrix_ids.add(f"{matrix}:cpts.local")
            rows.append(
                [
                    rpps,
                    f"{matrix}:cpts.local",
                    ";".join(activities),
                    ";".join(modalities),
                    ";".join(languages),
                ]
            )
    (HERE / "rpps_extract.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with (HERE / "cpts_enrichment.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["rpps", "matrix_id", "activities", "modalities", "languages"])
        writer.writerows(rows)


if __name__ == "__main__":
    main()
