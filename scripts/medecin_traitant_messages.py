"""English -> French messages of the médecin-traitant desk: ``python scripts/write_po.py
medecin_traitant scripts/medecin_traitant_messages.py`` writes both catalogs."""

MEDECIN_TRAITANT = [
    ("7 to 30 days", "7 à 30 jours"),
    ("under 7 days", "moins de 7 jours"),
    ("over 30 days", "plus de 30 jours"),
    ("80 or over", "80 ans et plus"),
    ("{low} to {high} years old", "{low} à {high} ans"),
    ("ALD", "ALD"),
    ("C2S", "C2S"),
    ("elderly", "personne âgée"),
    ("pregnancy", "grossesse"),
    ("disability", "handicap"),
    ("leaving hospital", "sortie d'hospitalisation"),
    ("no priority criterion", "sans critère de priorité"),
    ("priority: {criteria}", "prioritaire : {criteria}"),
    ("this month", "ce mois-ci"),
    ("every month", "chaque mois"),
    ("until they are taken", "jusqu'à ce qu'elles soient prises"),
    (
        "A waiting patient is offered to you in our direct chat.",
        "Un patient en attente vous est proposé dans notre conversation privée.",
    ),
    ("By commune: {items}", "Par commune : {items}"),
    ("By priority: {items}", "Par priorité : {items}"),
    ("Waiting: {items}", "Attente : {items}"),
    ("Longest wait: {days} days", "Attente la plus longue : {days} jours"),
    ("From the referrer: {text}", "Message de l'adresseur : {text}"),
    ("Referred by: {contact}", "Adressé par : {contact}"),
    (
        "GPs: “je peux prendre 3 nouveaux patients ce mois-ci”, “je ne prends plus de nouveaux "
        "patients”, “priorité ALD et plus de 70 ans”, “mes places”.",
        "Médecins : « je peux prendre 3 nouveaux patients ce mois-ci », « je ne prends plus de "
        "nouveaux patients », « priorité ALD et plus de 70 ans », « mes places ».",
    ),
    (
        "How old is the patient? Write it as “78 ans”, e.g. “patient sans médecin traitant, "
        "78 ans, ALD, {example}”.",
        "Quel âge a le patient ? Écrivez-le « 78 ans », par ex. « patient sans médecin "
        "traitant, 78 ans, ALD, {example} ».",
    ),
    (
        "Which commune does the patient live in? Write it in the message, e.g. “patient sans "
        "médecin traitant, 78 ans, ALD, {example}”.",
        "Dans quelle commune habite le patient ? Écrivez-la dans le message, par ex. « patient "
        "sans médecin traitant, 78 ans, ALD, {example} ».",
    ),
    (
        "Name one commune only (where the patient lives), e.g. “patient sans médecin "
        "traitant, 78 ans, ALD, {example}”.",
        "Une seule commune (celle où habite le patient), par ex. « patient sans médecin "
        "traitant, 78 ans, ALD, {example} ».",
    ),
    (
        "That age cannot be right: write it as “78 ans”.",
        "Cet âge ne peut pas être juste : écrivez-le « 78 ans ».",
    ),
    (
        "Médecin traitant request no. {id} registered: {description}.",
        "Demande médecin traitant n°{id} enregistrée : {description}.",
    ),
    (
        "Médecin traitant request no. {id} still waiting after {days} days: {description}. "
        "Offered to {offers} GP(s), nobody accepted.",
        "Demande médecin traitant n°{id} toujours en attente après {days} jours : "
        "{description}. Médecins sollicités : {offers}, aucun n'a accepté.",
    ),
    (
        "Médecin traitant request no. {id}: {contact} accepts to be the patient's GP.",
        "Demande médecin traitant n°{id} : {contact} accepte d'être le médecin traitant du "
        "patient.",
    ),
    (
        "Médecin traitant — request no. {id}: a patient without a GP, {description}.",
        "Médecin traitant — demande n°{id} : un patient sans médecin traitant, {description}.",
    ),
    (
        "Médecin traitant: do you still have room for new patients?",
        "Médecin traitant : avez-vous toujours de la place pour de nouveaux patients ?",
    ),
    (
        "No GP with room yet: it waits in the list, and I will tell you who accepts.",
        "Aucun médecin n'a de place pour l'instant : la demande attend dans la liste, et je "
        "vous dirai qui l'accepte.",
    ),
    (
        "No contact details here: write them to me in our direct chat as “coordonnées {id} : "
        "…”; only the GP who accepts will get them.",
        "Pas de coordonnées ici : écrivez-les-moi en conversation privée, « coordonnées {id} : "
        "… » ; seul le médecin qui accepte les recevra.",
    ),
    (
        "Reply to this message with the patient's contact details: only the GP who accepts "
        "will get them.",
        "Répondez à ce message avec les coordonnées du patient : seul le médecin qui accepte "
        "les recevra.",
    ),
    (
        "No contact details were given: ask the referrer.",
        "Aucune coordonnée n'a été donnée : voyez avec l'adresseur.",
    ),
    ("Nobody is waiting for a médecin traitant.", "Personne n'attend de médecin traitant."),
    ("Noted, thank you (request no. {id}).", "C'est noté, merci (demande n°{id})."),
    (
        "Noted: I will ask you once a month whether you still have room.",
        "C'est noté : je vous demanderai une fois par mois si vous avez toujours de la place.",
    ),
    (
        "Noted: no more monthly reminders. “reprendre les rappels” to have them again.",
        "C'est noté : plus de rappel mensuel. « reprendre les rappels » pour les retrouver.",
    ),
    (
        "Noted: no priority of your own; priority patients still come first.",
        "C'est noté : pas de priorité particulière ; les patients prioritaires passent "
        "toujours en premier.",
    ),
    (
        "Noted: patients with {criteria} are offered to you first.",
        "C'est noté : les patients avec {criteria} vous sont proposés en premier.",
    ),
    (
        "Noted: the GP who accepts request no. {id} will get it.",
        "C'est noté : le médecin qui acceptera la demande n°{id} le recevra.",
    ),
    (
        "Noted: you take no new patients; your card says so, and no request will be offered "
        "to you.",
        "C'est noté : vous ne prenez plus de nouveaux patients ; votre fiche l'indique, et "
        "aucune demande ne vous sera proposée.",
    ),
    (
        (
            "Noted: {count} new patient, {scope}. Your card says you take new patients.",
            "Noted: {count} new patients, {scope}. Your card says you take new patients.",
        ),
        (
            "C'est noté : {count} nouveau patient, {scope}. Votre fiche indique que vous "
            "prenez de nouveaux patients.",
            "C'est noté : {count} nouveaux patients, {scope}. Votre fiche indique que vous "
            "prenez de nouveaux patients.",
        ),
    ),
    (
        (
            "Offered now to {count} GP with room; I will tell you who accepts.",
            "Offered now to {count} GPs with room; I will tell you who accepts.",
        ),
        (
            "Proposée dès maintenant à {count} médecin qui a de la place ; je vous dirai qui "
            "l'accepte.",
            "Proposée dès maintenant à {count} médecins qui ont de la place ; je vous dirai "
            "qui l'accepte.",
        ),
    ),
    (
        "Only doctors declare room for new patients as médecin traitant.",
        "Seuls les médecins déclarent leurs places pour de nouveaux patients comme médecin "
        "traitant.",
    ),
    (
        "Only the coordination can see the waiting list.",
        "Seule la coordination peut consulter la liste d'attente.",
    ),
    (
        "Priority not understood: “{text}”. Criteria: ALD, plus de 70 ans, C2S, grossesse, "
        "handicap, sortie d'hospitalisation.",
        "Priorité non comprise : « {text} ». Critères : ALD, plus de 70 ans, C2S, grossesse, "
        "handicap, sortie d'hospitalisation.",
    ),
    (
        "Reply “je confirme”, “je peux prendre 2 nouveaux patients ce mois-ci” or “je ne "
        "prends plus de nouveaux patients”. “stop rappels”: no more of these messages.",
        "Répondez « je confirme », « je peux prendre 2 nouveaux patients ce mois-ci » ou « je "
        "ne prends plus de nouveaux patients ». « stop rappels » : plus de ce message.",
    ),
    (
        "Reply “je prends” to this message or react 👍 to become their GP; “non” or ❌ if "
        "not. This offer lapses on {when}.",
        "Répondez « je prends » à ce message ou réagissez 👍 pour devenir son médecin "
        "traitant ; « non » ou ❌ sinon. Cette proposition expire le {when}.",
    ),
    ("Request no. {id} cancelled.", "Demande n°{id} annulée."),
    (
        "Request no. {id} has already been accepted by a colleague. Thank you!",
        "La demande n°{id} a déjà été acceptée par un confrère. Merci !",
    ),
    (
        "Request no. {id} has been accepted by a colleague. Thank you!",
        "La demande n°{id} a été acceptée par un confrère. Merci !",
    ),
    ("Request no. {id} is already yours.", "La demande n°{id} est déjà la vôtre."),
    ("Request no. {id} is cancelled.", "La demande n°{id} est annulée."),
    ("Request no. {id} is no longer waiting.", "La demande n°{id} n'est plus en attente."),
    ("Request no. {id} was not offered to you.", "La demande n°{id} ne vous a pas été proposée."),
    (
        "Request no. {id}, more from the referrer: {text}",
        "Demande n°{id}, complément de l'adresseur : {text}",
    ),
    (
        "Request no. {id}: ask the coordination if you can no longer take this patient.",
        "Demande n°{id} : voyez avec la coordination si vous ne pouvez plus prendre ce patient.",
    ),
    (
        "Request no. {id}: you are the GP of this patient. Thank you!",
        "Demande n°{id} : vous êtes le médecin traitant de ce patient. Merci !",
    ),
    (
        "Sent to the GP who accepted request no. {id}.",
        "Transmis au médecin qui a accepté la demande n°{id}.",
    ),
    (
        "You have no place declared any more: write “je peux prendre 1 nouveau patient” "
        "first, then accept again.",
        "Vous n'avez plus de place déclarée : écrivez d'abord « je peux prendre 1 nouveau "
        "patient », puis acceptez à nouveau.",
    ),
    (
        "You have no place declared for new patients.",
        "Vous n'avez pas de place déclarée pour de nouveaux patients.",
    ),
    ("You have no request no. {id}.", "Vous n'avez pas de demande n°{id}."),
    (
        "You have not declared any room. Write for example “je peux prendre 2 nouveaux "
        "patients ce mois-ci”.",
        "Vous n'avez déclaré aucune place. Écrivez par exemple « je peux prendre 2 nouveaux "
        "patients ce mois-ci ».",
    ),
    (
        ("You have {count} place declared.", "You have {count} places declared."),
        ("Vous avez {count} place déclarée.", "Vous avez {count} places déclarées."),
    ),
    (
        ("You have {count} place left.", "You have {count} places left."),
        ("Il vous reste {count} place.", "Il vous reste {count} places."),
    ),
    ("Your priorities: {criteria}.", "Vos priorités : {criteria}."),
    ("[Request no. {id}: cancelled]", "[Demande n°{id} : annulée]"),
    ("[Request no. {id}: offer lapsed]", "[Demande n°{id} : proposition expirée]"),
    ("[Request no. {id}: placed]", "[Demande n°{id} : placée]"),
    ("no. {id}: {description} — {days} days", "n°{id} : {description} — {days} jours"),
    (
        (
            "{count} patient waiting for a médecin traitant ({priority} priority).",
            "{count} patients waiting for a médecin traitant ({priority} priority).",
        ),
        (
            "{count} patient en attente de médecin traitant (dont {priority} prioritaire).",
            "{count} patients en attente de médecin traitant (dont {priority} prioritaires).",
        ),
    ),
    (
        (
            "{count} patient waiting for more than {days} days.",
            "{count} patients waiting for more than {days} days.",
        ),
        (
            "{count} patient en attente depuis plus de {days} jours.",
            "{count} patients en attente depuis plus de {days} jours.",
        ),
    ),
    (
        (
            "{count} priority patient waiting for more than {days} days.",
            "{count} priority patients waiting for more than {days} days.",
        ),
        (
            "{count} patient prioritaire en attente depuis plus de {days} jours.",
            "{count} patients prioritaires en attente depuis plus de {days} jours.",
        ),
    ),
    (
        ("{count} place left", "{count} places left"),
        ("{count} place restante", "{count} places restantes"),
    ),
    (
        (
            "{count} place left ({scope}, declared on {date}).",
            "{count} places left ({scope}, declared on {date}).",
        ),
        (
            "{count} place restante ({scope}, déclarée le {date}).",
            "{count} places restantes ({scope}, déclarées le {date}).",
        ),
    ),
    (
        "{count} places? Write a number between 1 and 500.",
        "{count} places ? Écrivez un nombre entre 1 et 500.",
    ),
    (
        "“liste d'attente”, “patients prioritaires en attente depuis plus de 30 jours”, "
        "“annuler patient 12”: the médecin-traitant waiting list.",
        "« liste d'attente », « patients prioritaires en attente depuis plus de 30 jours », "
        "« annuler patient 12 » : la liste d'attente médecin traitant.",
    ),
    (
        "“patient sans médecin traitant, 78 ans, ALD, Vénissieux”: find a GP for a patient "
        "(contact details only in reply, for the GP who accepts).",
        "« patient sans médecin traitant, 78 ans, ALD, Vénissieux » : trouver un médecin "
        "traitant pour un patient (coordonnées seulement en réponse, pour le médecin qui "
        "accepte).",
    ),
    ("… and {count} more.", "… et {count} de plus."),
    (
        (
            "GPs' declared places: {places} (by {count} GP), placements: {placed}",
            "GPs' declared places: {places} (by {count} GPs), placements: {placed}",
        ),
        (
            "Places déclarées par les médecins : {places} (par {count} médecin), "
            "placements : {placed}",
            "Places déclarées par les médecins : {places} (par {count} médecins), "
            "placements : {placed}",
        ),
    ),
    ("Median time to placement: {days} days", "Délai médian de placement : {days} jours"),
    (
        "Médecin traitant by commune (received/placed/waiting): {items}",
        "Médecin traitant par commune (reçues/placées/en attente) : {items}",
    ),
    (
        "Médecin traitant by priority (received/placed/waiting): {items}",
        "Médecin traitant par priorité (reçues/placées/en attente) : {items}",
    ),
    (
        "Médecin traitant: {received} requests received, {placed} placed, {waiting} waiting at "
        "the end of the month",
        "Médecin traitant : {received} demandes reçues, {placed} placées, {waiting} en attente "
        "en fin de mois",
    ),
    ("{name} {received}/{placed}/{waiting}", "{name} {received}/{placed}/{waiting}"),
    (
        "GPs: your room for new patients as médecin traitant",
        "médecins : vos places pour de nouveaux patients comme médecin traitant",
    ),
    ("mes places", "mes places"),
    (
        "je peux prendre 3 nouveaux patients ce mois-ci",
        "je peux prendre 3 nouveaux patients ce mois-ci",
    ),
    ("priorité ALD et plus de 70 ans", "priorité ALD et plus de 70 ans"),
    ("the médecin-traitant waiting list", "la liste d'attente médecin traitant"),
    ("liste d'attente", "liste d'attente"),
    (
        "patients prioritaires en attente depuis plus de 30 jours",
        "patients prioritaires en attente depuis plus de 30 jours",
    ),
]
