"""The Chambre's opinion letters: what each is about, their numbering, the commons they
recommend, and the licence requirement written as a sentence wherever it is printed."""

from datetime import UTC, datetime

import pytest

from procurement.documents.avis_chambre import ordinal_label, render_avis_chambre
from procurement.documents.cctp import render_cctp
from procurement.documents.common import licence_requirement_sentence
from procurement.documents.context import OpinionTopic
from procurement.documents.reglement import render_reglement

from .reading import body_text, open_docx

STRAY = "CoopyLeft pour tout usage commercial."


def letter(opinion) -> str:
    return body_text(open_docx(render_avis_chambre(opinion)))


def test_opinion_on_the_call_says_so_with_the_call_s_reference(opinion_factory):
    # given / when
    opinion = opinion_factory()
    text = letter(opinion)
    # then
    call = opinion.challenge
    assert (
        f"Objet : avis sur le projet d'appel à communs « {call.title} » "
        f"(référence {call.reference})"
    ) in text


def test_opinion_on_the_selection_names_the_selection_and_the_proposals(opinion_factory):
    # given an opinion on the selection of two proposals
    opinion = opinion_factory(
        topic=OpinionTopic.SELECTION,
        selected=("Lot n° 1 – « Stations ouvertes » (Mobicoop SCIC)",),
        recommended_commons=(),
    )
    # when
    text = letter(opinion)
    # then it says what it is about, and does not reuse the call's wording
    assert "Objet : avis sur la sélection des propositions de l'appel à communs" in text
    assert "Lot n° 1 – « Stations ouvertes » (Mobicoop SCIC)" in text
    assert "a examiné le projet d'appel à communs" not in text
    assert "que les prestataires incluent dans leurs réponses" not in text
    assert "publié avec l'appel à communs" not in text


@pytest.mark.parametrize(
    ("number", "count", "label"),
    [
        (1, 1, "avis"),
        (1, 2, "premier avis"),
        (2, 2, "second avis"),
        (2, 3, "deuxième avis"),
        (3, 3, "troisième avis"),
    ],
)
def test_successive_opinions_on_one_subject_are_numbered(number, count, label):
    assert ordinal_label(number, count) == label


def test_the_second_opinion_on_the_call_says_it_is_the_second(opinion_factory):
    # given the second of two opinions on the call
    text = letter(opinion_factory(number=2, count=2))
    # then
    assert "Objet : second avis sur le projet d'appel à communs" in text
    assert "révisé à la suite de son premier avis" in text


def test_an_opinion_number_beyond_the_count_is_refused(opinion_factory):
    with pytest.raises(ValueError, match="opinion number"):
        opinion_factory(number=3, count=2)


def test_without_recommended_commons_the_letter_never_claims_an_empty_catalogue(
    opinion_factory,
):
    # given an opinion recommending none while the catalogue references three
    text = letter(opinion_factory(recommended_commons=(), catalogue_size=3))
    # then
    assert "Aucun commun n'est référencé à ce jour" not in text
    assert "La Chambre ne recommande aucun commun en particulier dans cet avis" in text
    assert "son catalogue public référence 3 communs" in text


def test_recommended_commons_are_listed(opinion_factory):
    text = letter(opinion_factory())
    assert "OpenStreetMap — licence ODbL-1.0" in text
    assert "Aucun commun" not in text


def test_no_licence_heading_without_a_licence_requirement(opinion_factory):
    # given an opinion without licence requirement
    text = letter(opinion_factory(licence_requirements=""))
    # then no empty "Exigences de licence" heading
    assert "Exigences de licence" not in text


def test_the_opinion_s_licence_requirement_is_a_full_sentence(opinion_factory):
    # given the demo's requirement
    text = letter(opinion_factory(licence_requirements=STRAY))
    # then it is quoted in a sentence under its heading, never alone
    lines = text.split("\n")
    assert STRAY not in lines
    assert (
        "La Chambre demande à l'acheteur de faire respecter, pour les livrables, l'exigence de "
        "licence suivante : « CoopyLeft pour tout usage commercial »."
    ) in lines


def test_the_call_pieces_print_the_licence_requirement_as_a_sentence(challenge_factory):
    # given the call's context as the pack builds it from the Chambre's opinion
    sentence = licence_requirement_sentence(STRAY, datetime(2026, 6, 1, 10, tzinfo=UTC))
    challenge = challenge_factory(licence_requirements=sentence)
    # when
    for render in (render_reglement, render_cctp):
        lines = body_text(open_docx(render(challenge))).split("\n")
        # then
        assert STRAY not in lines
        assert (
            "À la suite de l'avis de la Chambre des communs du 1er juin 2026, l'acheteur "
            "retient l'exigence de licence suivante : « CoopyLeft pour tout usage commercial »."
        ) in lines
