"""The social and solidarity criterion (article R2152-7, 2° a) du code de la commande
publique, on the conditions of execution of articles L2152-7 and L2112-2): the buyer adds
it from the call editor at the weight it chooses, once; the grid takes its description
and levels, and the RC describes it."""

from dataclasses import replace
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from procurement.documents import PIECES
from scoring.models import Criterion
from scoring.services.grids import SOCIAL_CRITERION_CODE
from tests.conftest import paris
from tests.portal.test_call_editor import editor_data
from tests.procurement.documents.reading import body_text, open_docx, table_texts
from tests.workflows import journey
from workflows.pack import challenge_context

pytestmark = pytest.mark.django_db


def social(challenge):
    return Criterion.objects.filter(grid__challenge=challenge, code=SOCIAL_CRITERION_CODE)


def test_the_buyer_adds_the_social_criterion_with_its_weight_once(client, world, login):
    # given a draft whose grid has no social criterion
    challenge = journey.start(world)
    login(world.buyer_agent)
    url = reverse("portal:call_edit", args=[challenge.pk])
    assert "Ajouter le critère social et solidaire" in unescape(client.get(url).content.decode())
    assert not social(challenge).exists()

    # when the buyer saves the editor with a weight of 7,5 %
    response = client.post(url, editor_data(challenge, **{"call-social_criterion_weight": "7,5"}))

    # then the grid holds the criterion at that weight, with its description and levels
    assert response.status_code == 302, response.content.decode()[:3000]
    criterion = social(challenge).get()
    assert criterion.weight == Decimal("7.5")
    assert "R2152-7, 2° a)" in criterion.description
    assert [level["level"] for level in criterion.levels] == ["0", "5", "10"]

    # and saving again with a weight adds no second one (the row's own weight prevails)
    data = editor_data(challenge, **{"call-social_criterion_weight": "20"})
    assert client.post(url, data).status_code == 302
    assert social(challenge).count() == 1
    assert social(challenge).get().weight == Decimal("7.5")


def test_the_rc_describes_the_social_criterion(client, world, login):
    # given a draft with the social criterion
    challenge = journey.start(world)
    login(world.buyer_agent)
    url = reverse("portal:call_edit", args=[challenge.pk])
    technique = Criterion.objects.filter(grid__challenge=challenge).order_by("order").first()
    data = editor_data(
        challenge,
        **{"call-social_criterion_weight": "10", "criteria-0-weight": str(technique.weight - 10)},
    )
    assert client.post(url, data).status_code == 302

    # when its RC is rendered (dated as if published: a draft has no deadlines yet)
    context = challenge_context(challenge)
    published = replace(
        context,
        questions_deadline=paris(2030, 2, 1, 12),
        positioning_deadline=paris(2030, 1, 10, 12),
        proposal_deadline=paris(2030, 2, 20, 12),
    )
    document = open_docx(PIECES["reglement"].render(published))
    text = body_text(document).replace("\xa0", " ").replace("\u202f", " ")
    cells = [row for table in table_texts(document) for row in table]

    # then the grid marks it and the RC says what it notes, and on what legal ground
    row = next(r for r in cells if r[0] == SOCIAL_CRITERION_CODE)
    assert row[-1] == "Social et solidaire"
    assert "Performance sociale et solidaire de l'exécution" in text
    assert "article R2152-7, 2° a) du code de la commande publique" in text
    assert "non le statut du candidat" in text
