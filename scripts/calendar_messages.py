"""English -> French messages of the duty calendar (.ics) and the public holidays:
``python scripts/write_po.py calendar scripts/calendar_messages.py`` writes both catalogs."""

CALENDAR = [
    ("Duty {profession}, {hours}", "Garde {profession}, {hours}"),
    ("Area: {places}", "Secteur : {places}"),
    ("Public holiday: {name}", "Jour férié : {name}"),
    ("My duties ({territory})", "Mes gardes ({territory})"),
    (
        "{filename}: your duties, to open with your calendar app",
        "{filename} : vos gardes, à ouvrir avec votre agenda",
    ),
    (
        "No calendar file: there is no duty to put in it.",
        "Pas de fichier calendrier : aucune garde à y mettre.",
    ),
    (
        "Your calendar file (.ics) follows, to open with your calendar app.",
        "Votre fichier calendrier (.ics) suit : ouvrez-le avec votre agenda"
        " (Google Agenda, Outlook, Calendrier…) pour y ajouter vos gardes.",
    ),
    (
        "Your calendar file (.ics) is in our direct chat.",
        "Votre fichier calendrier (.ics) est dans notre conversation privée.",
    ),
    ("mes gardes calendrier", "mes gardes calendrier"),
    (
        "garde @name:server IDE {commune} dimanches et jours fériés 8h-20h",
        "garde @nom:serveur IDE {commune} dimanches et jours fériés 8h-20h",
    ),
    ("public holidays", "les jours fériés"),
    (
        "One day per slot with public holidays: send one line per day, e.g. “… samedi 8h-20h”"
        " then “… dimanches et jours fériés 8h-20h”.",
        "Un seul jour par créneau avec les jours fériés : envoyez une ligne par jour, par"
        " exemple « … samedi 8h-20h » puis « … dimanches et jours fériés 8h-20h ».",
    ),
    ("{weekdays} and public holidays", "{weekdays} et les jours fériés"),
    ("{weekdays} except public holidays", "{weekdays} sauf les jours fériés"),
    ("Public holidays: {days}", "Jours fériés : {days}"),
    (
        "Duties on Sundays and public holidays: {items}",
        "Gardes des dimanches et jours fériés : {items}",
    ),
    (
        "On Sundays and public holidays ({days} days): requests {requests},"
        " dispatches {dispatches}",
        "Dimanches et jours fériés ({days} jours) : demandes {requests},"
        " déclenchements {dispatches}",
    ),
]
