"""The buyer's call editor: « Nouvel appel » creates a draft, the editor writes its
text, lots, resources, licences, grid, estimate and planned dates; only the buyer's
staff sees it (404 for anyone else); what is wrong is refused next to its field; in
revision, the changes since the version the Chambre saw are shown."""

from decimal import Decimal

import pytest
from django.urls import reverse

from procurement.models import Challenge, ChallengeStatus
from scoring.models import Criterion
from tests.portal.steps import advance
from tests.workflows import journey
from tests.workflows.journey import current_steps, give_opinion


def editor_data(challenge, **changes):
    """The editor's form as the page shows it (what a browser would post back)."""
    from portal.forms.calls import CallEditor

    criteria = list(Criterion.objects.filter(grid__challenge=challenge).order_by("order"))
    editor = CallEditor(challenge=challenge, criteria=criteria)
    data = {}
    for part in (editor.call, *[editor.lots, editor.resources, editor.criteria]):
        forms = [part] if not hasattr(part, "management_form") else [part.management_form, *part]
        for form in forms:
            for field in form:
                value = field.value()
                if value is None or value is False:
                    continue
                if hasattr(value, "isoformat"):
                    value = value.strftime("%Y-%m-%dT%H:%M")
                data[field.html_name] = "on" if value is True else str(value)
    data.update(changes)
    return data


@pytest.mark.django_db
def test_buyer_creates_a_call_and_lands_in_its_editor(client, world, login):
    # given a buyer's agent
    login(world.buyer_agent)
    # when it fills « Nouvel appel »
    response = client.post(
        reverse("portal:call_new"),
        {
            "buyer": world.buyer.pk,
            "chambre": world.chambre.pk,
            "title": "Données de la qualité de l'air",
            "context": "Des capteurs citoyens et leurs données ouvertes.",
            "resource": "Jeu de données des capteurs",
        },
    )
    # then a draft exists with its drafting task, and the editor opens on it
    challenge = Challenge.objects.get(title="Données de la qualité de l'air")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:call_edit", args=[challenge.pk])
    assert challenge.status == ChallengeStatus.DRAFT
    assert current_steps(challenge) == {"draft"}
    page = client.get(response["Location"]).content.decode()
    assert "Jeu de données des capteurs" in page
    assert "Total des poids" in page


@pytest.mark.django_db
def test_new_call_is_refused_to_whoever_is_not_a_buyers_agent(client, world, login):
    login(world.partner_users[0])
    assert client.get(reverse("portal:call_new")).status_code == 403


@pytest.mark.django_db
def test_editor_saves_text_lots_licences_grid_estimate_and_dates(client, world, login):
    # given a draft
    challenge = journey.start(world)
    login(world.buyer_agent)
    url = reverse("portal:call_edit", args=[challenge.pk])
    data = editor_data(
        challenge,
        **{
            "call-title": "Mobilité partagée, version 2",
            "call-estimated_amount": "250 000",
            "call-planned_positioning_deadline": "2030-01-10T12:00",
            "call-planned_proposal_deadline": "2030-02-20T12:00",
            "resources-0-expected_licence": "AGPL-3.0-or-later",
            "criteria-0-weight": "30",
            "criteria-2-weight": "15",
        },
    )
    # when the buyer saves
    response = client.post(url, data)
    # then everything is kept
    assert response.status_code == 302, response.content.decode()[:3000]
    challenge.refresh_from_db()
    assert challenge.title == "Mobilité partagée, version 2"
    assert challenge.estimated_amount == Decimal("250000")
    assert challenge.planned_proposal_deadline.year == 2030
    first = challenge.resources.order_by("order").first()
    assert first.expected_licence == "AGPL-3.0-or-later"
    weights = list(
        Criterion.objects.filter(grid__challenge=challenge)
        .order_by("order")
        .values_list("weight", flat=True)[:3]
    )
    assert weights[0] == Decimal(30)
    assert weights[2] == Decimal(15)
    # and the page previews the procedure the new estimate gives (above 216 000 € HT)
    page = client.get(url).content.decode()
    assert "offres ouvert (procédure formalisée)" in page
    assert "30 jours" in page


@pytest.mark.django_db
def test_editor_autosave_answers_json_and_saves(client, world, login):
    challenge = journey.start(world)
    login(world.buyer_agent)
    url = reverse("portal:call_edit", args=[challenge.pk])
    response = client.post(url, editor_data(challenge, autosave="1", **{"call-title": "Autosauvé"}))
    assert response.status_code == 200
    assert response.json()["saved"] is True
    assert "Brouillon enregistré" in response.json()["message"]
    challenge.refresh_from_db()
    assert challenge.title == "Autosauvé"


@pytest.mark.django_db
def test_editor_refuses_an_unknown_licence_and_an_unnamed_criterion_next_to_them(
    client, world, login
):
    challenge = journey.start(world)
    login(world.buyer_agent)
    url = reverse("portal:call_edit", args=[challenge.pk])
    response = client.post(
        url,
        editor_data(
            challenge,
            **{"resources-0-expected_licence": "Propriétaire", "criteria-0-label": ""},
        ),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Licence inconnue" in page
    assert "Nommez le critère." in page
    challenge.refresh_from_db()
    assert challenge.title == "Mobilité partagée dans la métropole"


@pytest.mark.django_db
def test_editor_refuses_planned_dates_out_of_order(client, world, login):
    challenge = journey.start(world)
    login(world.buyer_agent)
    response = client.post(
        reverse("portal:call_edit", args=[challenge.pk]),
        editor_data(
            challenge,
            **{
                "call-planned_positioning_deadline": "2030-02-20T12:00",
                "call-planned_proposal_deadline": "2030-01-10T12:00",
            },
        ),
    )
    assert response.status_code == 400
    assert "doit suivre la fin des positionnements" in response.content.decode()


@pytest.mark.django_db
def test_editor_shows_what_the_referral_would_refuse(client, world, login):
    # given a grid whose weights no longer add up to 100 %
    challenge = journey.start(world)
    login(world.buyer_agent)
    url = reverse("portal:call_edit", args=[challenge.pk])
    client.post(url, editor_data(challenge, **{"criteria-0-weight": "10"}))
    page = client.get(url).content.decode()
    assert "Avant de saisir la Chambre" in page
    assert "au lieu de 100" in page


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["stranger", "partner", "moderator", "evaluator"])
def test_editor_is_404_for_anyone_but_the_buyers_staff(client, world, login, who):
    challenge = journey.start(world)
    user = {
        "stranger": world.stranger,
        "partner": world.partner_users[0],
        "moderator": world.moderator,
        "evaluator": world.evaluators[0],
    }[who]
    login(user)
    url = reverse("portal:call_edit", args=[challenge.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"call-title": "Piraté"}).status_code == 404
    challenge.refresh_from_db()
    assert challenge.title != "Piraté"


@pytest.mark.django_db
def test_editor_is_closed_while_the_chambre_examines_the_call(client, world, clock, login):
    challenge = advance(world, clock, "call_opinion")
    login(world.buyer_agent)
    url = reverse("portal:call_edit", args=[challenge.pk])
    assert client.get(url).status_code == 302
    response = client.post(url, editor_data(challenge, autosave="1"))
    assert response.status_code == 409


@pytest.mark.django_db
def test_revision_shows_the_changes_since_the_version_the_chambre_saw(client, world, clock, login):
    # given a call referred, then an opinion with a reservation
    challenge = advance(world, clock, "call_opinion")
    give_opinion(
        world,
        challenge,
        verdict="reservations",
        reservations=["Préciser la licence."],
    )
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.REVISION
    login(world.buyer_agent)
    url = reverse("portal:call_edit", args=[challenge.pk])
    # when the buyer changes the title in the editor
    client.post(url, editor_data(challenge, **{"call-title": "Titre révisé"}))
    # then the page shows the old and the new title
    page = client.get(url).content.decode()
    assert "Ce qui a changé depuis la version vue par la Chambre" in page
    assert "<del>" in page
    assert "Mobilité partagée dans la métropole" in page
    assert "<ins>" in page
    assert "Titre révisé" in page


@pytest.mark.django_db
def test_draft_task_links_to_the_editor(client, world, login):
    challenge = journey.start(world)
    login(world.buyer_agent)
    task = journey.open_task(challenge, "draft")
    page = client.get(reverse("portal:task", args=[task.pk])).content.decode()
    assert reverse("portal:call_edit", args=[challenge.pk]) in page


@pytest.mark.django_db
def test_editor_keeps_what_it_does_not_show(client, world, login):
    # given a resource from the catalogue and a criterion with a threshold and levels
    from scoring.services import DEFAULT_GRID, grid_set
    from tests.portal.steps import commons

    catalogue = commons("Brique de covoiturage", licence="EUPL-1.2")
    resources = [
        {"commons": catalogue, "title": "Brique de covoiturage", "expected_licence": "EUPL-1.2"},
        *journey.RESOURCES[1:],
    ]
    challenge = journey.start(world, resources=resources)
    grid = [dict(c) for c in DEFAULT_GRID]
    grid[0].update(threshold=Decimal(3), levels=[{"level": "0", "description": "Rien de solide."}])
    grid_set(challenge=challenge, actor=world.buyer_agent, criteria=grid)
    login(world.buyer_agent)
    # when the buyer saves the page as it is shown
    response = client.post(reverse("portal:call_edit", args=[challenge.pk]), editor_data(challenge))
    # then the catalogue link, the threshold and the levels are still there
    assert response.status_code == 302
    assert challenge.resources.get(title="Brique de covoiturage").commons == catalogue
    first = Criterion.objects.get(grid__challenge=challenge, code=grid[0]["code"])
    assert first.threshold == Decimal(3)
    assert first.levels == [{"level": "0", "description": "Rien de solide."}]


@pytest.mark.django_db
def test_publication_form_is_filled_with_the_planned_dates(client, world, clock, login):
    # given planned dates written in the editor, then a favourable opinion
    from procurement.services.challenges import challenge_update
    from tests.conftest import paris

    challenge = journey.start(world)
    challenge_update(
        challenge=challenge,
        actor=world.buyer_agent,
        planned_positioning_deadline=paris(2026, 10, 1, 12, 0),
        planned_proposal_deadline=paris(2026, 11, 16, 12, 0),
    )
    journey.complete(challenge, "draft", world.buyer_agent, {"note": ""})
    give_opinion(world, challenge)
    login(world.buyer_agent)
    # then the publication's form shows them
    page = client.get(
        reverse("portal:task", args=[journey.open_task(challenge, "publish").pk])
    ).content.decode()
    assert 'value="2026-10-01T12:00"' in page
    assert 'value="2026-11-16T12:00"' in page


@pytest.mark.django_db
def test_revise_task_page_shows_the_changes_too(client, world, clock, login):
    challenge = advance(world, clock, "call_opinion")
    give_opinion(world, challenge, verdict="reservations", reservations=["Préciser la licence."])
    login(world.buyer_agent)
    client.post(
        reverse("portal:call_edit", args=[challenge.pk]),
        editor_data(challenge, **{"call-title": "Titre révisé"}),
    )
    page = client.get(
        reverse("portal:task", args=[journey.open_task(challenge, "revise").pk])
    ).content.decode()
    assert "Ce qui a changé depuis la version vue par la Chambre" in page
    assert "Titre révisé" in page
    assert reverse("portal:call_edit", args=[challenge.pk]) in page


@pytest.mark.django_db
def test_a_row_added_then_autosaved_is_kept_when_the_page_is_saved(client, world, login):
    # given a page drawn with one resource, on which the buyer adds a second one
    challenge = journey.start(world, resources=journey.RESOURCES[:1], lots=None)
    login(world.buyer_agent)
    url = reverse("portal:call_edit", args=[challenge.pk])
    data = editor_data(
        challenge,
        **{"resources-1-title": "Tableau de bord", "resources-1-expected_licence": "EUPL-1.2"},
    )
    # when the autosave stores it, then the button posts the same page again
    assert client.post(url, {**data, "autosave": "1"}).json()["saved"] is True
    assert client.post(url, data).status_code == 302
    # then the added resource is still there
    titles = list(challenge.resources.order_by("order").values_list("title", flat=True))
    assert titles == [journey.RESOURCES[0]["title"], "Tableau de bord"]
