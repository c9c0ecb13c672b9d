"""Questions -> typed queries, follow-ups and clarifications."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from directory_fixtures import lexicon
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpts_bot.core.concepts import ConceptRef
from cpts_bot.features.directory.models import Modality
from cpts_bot.features.directory.query_parser import (
    ConversationContext,
    DirectoryQuery,
    Intent,
    Lexicon,
    parse_query,
)


def parse(text: str, context: ConversationContext | None = None) -> DirectoryQuery:
    return parse_query(text, lexicon(), context).query


def test_profession_activity_modality_place() -> None:
    query = parse("kiné respi à domicile lyon 8")
    assert query.intent == Intent.FIND
    assert query.professions == {"70"}
    assert query.activities == {"respiratory_physio"}
    assert query.modalities == {Modality.HOME_VISITS}
    assert query.places == {"69388"}


@pytest.mark.parametrize(
    "text",
    [
        "Lyon 8",
        "lyon8",
        "LYON 8E",
        "dans le 8ème",
        "le 8e arrondissement",
        "69008",
        "lyon 8eme arr",
        "8 arrondissement",
        "Monplaisir",
    ],
)
def test_arrondissement_forms(text: str) -> None:
    assert parse(f"kiné {text}").places == {"69388"}


def test_a_bare_number_is_not_an_arrondissement() -> None:
    assert parse("kiné pour 8 patients").places == frozenset()


@pytest.mark.parametrize(
    ("text", "insee"),
    [
        ("Porquerolles", "83069"),
        ("hyere", "83069"),
        ("Culoz", "01138"),
        ("culoz beon", "01138"),
        ("Châteaudun", "28088"),
        ("chateaudun", "28088"),
        ("venisieux", "69259"),
        ("Belley", "01034"),
        ("st fons", "69199"),
        ("83400", "83069"),
    ],
)
def test_places_aliases_localities_and_typos(text: str, insee: str) -> None:
    assert parse(f"infirmier {text}").places == {insee}


def test_lyon_alone_means_every_arrondissement_of_the_territory() -> None:
    assert parse("dentiste lyon").places == {"69388", "69383", "69387"}


@pytest.mark.parametrize(
    ("text", "profession"),
    [
        ("IDEL", "60"),
        ("ide", "60"),
        ("infirmieres", "60"),
        ("infirmer", "60"),
        ("MK", "70"),
        ("kinés", "70"),
        ("kinesitherapeute", "70"),
        ("SF", "50"),
        ("sages-femmes", "50"),
        ("podo", "80"),
        ("orthophonist", "91"),
        ("orthoptiste", "92"),
        ("psychologue", "93"),
        ("ergo", "94"),
        ("diet", "95"),
        ("psychomot", "96"),
        ("pharmacie", "21"),
        ("dentsite", "40"),
        ("MG", "10"),
    ],
)
def test_profession_abbreviations_plurals_misspellings(text: str, profession: str) -> None:
    assert profession in parse(f"{text} à Bron").professions


def test_specialty_implies_the_profession() -> None:
    query = parse("un pédiatre ?")
    assert query.specialties == {"paediatrics"}
    assert query.professions == {"10"}


def test_medecin_traitant_means_a_gp_taking_new_patients() -> None:
    query = parse("cherche MT pour patient à Vénissieux")
    assert query.specialties == {"general_practice"}
    assert Modality.NEW_PATIENTS in query.modalities


def test_count_intent() -> None:
    query = parse("combien d'IDEL à Bron ?")
    assert query.intent == Intent.COUNT
    assert query.professions == {"60"}
    assert query.places == {"69029"}
    assert parse("cb de kiné").intent == Intent.COUNT


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("qui est de garde ce soir ?", Intent.ON_CALL),
        ("pharmacie de garde", Intent.ON_CALL),
        ("médecin d'astreinte samedi", Intent.ON_CALL),
        ("déclenchement IDE Bron", Intent.DISPATCH),
        ("alerte canicule", Intent.ALERT),
        ("aide", Intent.HELP),
        ("bonjour", Intent.UNKNOWN),
        ("", Intent.UNKNOWN),
        ("plus", Intent.MORE),
    ],
)
def test_other_intents(text: str, intent: Intent) -> None:
    assert parse(text).intent == intent


def test_ambiguous_profession_word_is_answered_with_every_meaning() -> None:
    query = parse_query("ortho pour enfant 4 ans", lexicon()).query
    assert query.intent == Intent.FIND
    assert query.professions == {"91", "92"}
    assert query.broadened == ("ortho",)
    assert query.children
    psy = parse("combien de psy à Bron")
    assert psy.intent == Intent.COUNT
    assert psy.professions == {"93", "10"}
    assert psy.specialties == {"psychiatry", "child_psychiatry"}


def _mixed_lexicon() -> Lexicon:
    """A vocabulary where "ortho" may also be an activity: then the bot asks."""
    base = lexicon()
    vocabulary = replace(
        base.vocabulary,
        ambiguous={
            **base.vocabulary.ambiguous,
            "ortho": (
                ConceptRef("profession", "91"),
                ConceptRef("profession", "92"),
                ConceptRef("activity", "language_assessment"),
            ),
        },
    )
    return Lexicon.build(vocabulary, base.places)


@pytest.mark.parametrize(
    ("answer", "profession"), [("1", "91"), ("2", "92"), ("orthoptiste", "92")]
)
def test_answer_to_the_clarification(answer: str, profession: str) -> None:
    mixed = _mixed_lexicon()
    first = parse_query("ortho à Bron", mixed)
    assert first.query.intent == Intent.CLARIFY
    second = parse_query(answer, mixed, first.context)
    assert second.query.intent == Intent.FIND
    assert profession in second.query.professions
    assert second.query.places == {"69029"}
    assert second.context.pending is None


def test_the_rest_of_the_question_settles_an_ambiguity() -> None:
    assert parse("ortho bilan du langage").professions == {"91"}
    assert parse("ortho strabisme").professions == {"92"}
    assert parse("ortho dentaire").specialties == {"orthodontics"}


def test_count_survives_the_clarification() -> None:
    mixed = _mixed_lexicon()
    first = parse_query("combien d'ortho à Bron", mixed)
    assert first.query.intent == Intent.CLARIFY
    second = parse_query("1", mixed, first.context)
    assert second.query.intent == Intent.COUNT
    assert second.query.professions == {"91"}


def test_explicit_adult_age_wins_over_child_words() -> None:
    assert not parse("infirmière pour ma fille de 84 ans").children
    assert not parse("kiné pour le petit monsieur de 90 ans").children
    assert parse("kiné pour ma fille de 4 ans").children


def test_mode_of_practice() -> None:
    assert parse("kiné libéral à Bron").practice_modes == {"L"}
    assert parse("IDE salariées, pas des libérales").practice_modes == {"S"}
    assert parse("combien de pharmaciens titulaires").practice_modes == {"L"}


def test_leftover_words_become_phrases_patient_details_flagged() -> None:
    query = parse("Mme Castagnet, 67 ans : quel kiné fait la méthode McKenzie ?")
    runs = {run.phrase.words: run for run in query.free_runs}
    castagnet = next(run for words, run in runs.items() if "castagnet" in words)
    assert castagnet.patient and castagnet.after_title
    assert any("mckenzie" in run.phrase.content_words for run in query.free_runs)


def test_age_is_a_child_flag_only() -> None:
    assert parse("orthophoniste enfant").children
    assert parse("kiné pour bébé de 6 mois").children
    assert parse("orthophoniste 4 ans").children
    assert not parse("infirmier pour patient de 80 ans").children


def test_follow_up_changes_modality_and_place() -> None:
    first = parse_query("infirmier lyon 8", lexicon())
    second = parse_query("et à domicile ?", lexicon(), first.context)
    assert second.query.professions == {"60"}
    assert second.query.places == {"69388"}
    assert second.query.modalities == {Modality.HOME_VISITS}
    third = parse_query("à Vénissieux plutôt", lexicon(), second.context)
    assert third.query.places == {"69259"}
    assert third.query.modalities == {Modality.HOME_VISITS}
    assert third.query.professions == {"60"}


def test_more_pages_through_the_last_question() -> None:
    first = parse_query("kiné", lexicon())
    second = parse_query("plus", lexicon(), first.context)
    assert second.query.page == 1
    assert second.query.professions == {"70"}
    third = parse_query("encore", lexicon(), second.context)
    assert third.query.page == 2


def test_more_after_a_count_lists_from_the_start() -> None:
    first = parse_query("combien de kinés", lexicon())
    second = parse_query("plus", lexicon(), first.context)
    assert second.query.intent == Intent.FIND
    assert second.query.page == 0


def test_new_subject_with_et_keeps_the_place() -> None:
    first = parse_query("kiné à Bron", lexicon())
    second = parse_query("et les infirmiers ?", lexicon(), first.context)
    assert second.query.professions == {"60"}
    assert second.query.places == {"69029"}


def test_a_new_full_question_replaces_the_context() -> None:
    first = parse_query("kiné à Bron", lexicon())
    second = parse_query("dentiste Belley", lexicon(), first.context)
    assert second.query.professions == {"40"}
    assert second.query.places == {"01034"}


def test_a_hook_intent_keeps_the_context() -> None:
    first = parse_query("kiné à Bron", lexicon())
    second = parse_query("qui est de garde ?", lexicon(), first.context)
    assert second.context == first.context


def test_very_long_input_is_read_up_to_a_bound() -> None:
    query = parse("kiné à Bron " + "blabla " * 5000)
    assert query.professions == {"70"}


@settings(
    max_examples=60,
    deadline=timedelta(milliseconds=1500),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.text(max_size=10_000))
def test_any_text_parses_without_exception(text: str) -> None:
    result = parse_query(text, lexicon())
    assert isinstance(result.query.intent, Intent)


@settings(
    max_examples=60,
    deadline=timedelta(milliseconds=1500),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.lists(
        st.sampled_from(
            [
                "kiné",
                "ortho",
                "plus",
                "et",
                "à",
                "domicile",
                "Bron",
                "8e",
                "combien",
                "1",
                "psy",
                "enfant",
                "garde",
                "ehpad",
                "x",
                "🚑",
                "lyon",
                "ans",
                "4",
            ]
        ),
        max_size=30,
    )
)
def test_word_salads_and_follow_ups_never_raise(words: list[str]) -> None:
    context = ConversationContext()
    for size in range(0, len(words), 3):
        result = parse_query(" ".join(words[size : size + 3]), lexicon(), context)
        context = result.context


def test_mentions_links_and_emails_are_not_words() -> None:
    query = parse("@cpts-bot:example.org: kiné Bron https://example.org/ortho x@psy.fr")
    assert query.intent == Intent.FIND
    assert query.professions == {"70"}
    assert query.places == {"69029"}


ADVERSARIAL = [
    "a@" * 5000,
    "@a:" * 3000,
    "@" * 10000,
    "a@b" * 3000,
    "a" * 10000,
    ("ab@cd" + "e" * 50) * 150,
    "kinee " * 1600,
    "ﷺ" * 10000,
    "\u0301" * 10000,
    "8e " * 3000,
    "https://" * 1000,
]


@settings(max_examples=len(ADVERSARIAL), deadline=timedelta(milliseconds=1500))
@given(st.sampled_from(ADVERSARIAL))
def test_adversarial_inputs_parse_within_the_deadline(text: str) -> None:
    assert isinstance(parse(text).intent, Intent)


def test_languages() -> None:
    query = parse("médecin qui parle arabe à Vénissieux")
    assert query.languages == {"ar"}
    assert query.professions == {"10"}
    assert parse("english speaking GP").languages == {"en"}


def test_answer_to_a_clarification_may_add_a_place() -> None:
    first = parse_query("ortho", lexicon())
    second = parse_query("orthophoniste à Bron", lexicon(), first.context)
    assert second.query.professions == {"91"}
    assert second.query.places == {"69029"}


def test_a_bug_in_the_parser_is_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """No catch-all in the pure core: the property test above can fail."""
    from cpts_bot.features.directory import query_parser

    def broken(text: str, lexicon: object) -> object:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(query_parser, "_read", broken)
    with pytest.raises(ZeroDivisionError):
        parse_query("kiné à Bron", lexicon())


def test_a_specialty_word_next_to_another_profession_is_searched_as_words() -> None:
    query = parse("sage-femme pour un suivi gynéco")
    assert query.professions == {"50"} and not query.specialties
    assert any("gyneco" in run.phrase.content_words for run in query.free_runs)
    assert parse("gynéco à Bron").specialties == {"gynaecology"}


def test_a_name_alone_is_a_directory_question() -> None:
    assert parse("le numéro de Mme Paugam ?").intent == Intent.FIND
    assert parse("merci beaucoup").intent == Intent.UNKNOWN


def test_follow_up_with_another_activity_keeps_the_subject() -> None:
    first = parse_query("orthophoniste à Bron pour un bégaiement", lexicon())
    second = parse_query("et pour la dyslexie ?", lexicon(), first.context).query
    assert second.professions == {"91"} and second.places == {"69029"}
    words = [word for run in second.free_runs for word in run.phrase.content_words]
    assert "dyslexie" in words and "begaiement" not in words


def test_pr_before_an_article_is_pour_not_a_title() -> None:
    from directory_fixtures import lexicon as fixture_lexicon

    sms = parse_query("idel lyon 8 pr une prise de sang a dom", fixture_lexicon()).query
    assert not any(run.after_title for run in sms.free_runs)
    title = parse_query("le numéro du Pr Martin", fixture_lexicon()).query
    assert any(run.after_title for run in title.free_runs)
