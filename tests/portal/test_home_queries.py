"""The home page's reads (portal.queries), built on the caller's memberships read once,
find the calls the API's list finds (``challenges_visible_to``): the same visibility for
every kind of caller, the same search, the same buyers."""

from dataclasses import replace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from portal import queries as home_queries
from procurement import queries
from procurement.models import Organisation, OrganisationKind, Role
from tests.conftest import member
from tests.factories import OrganisationFactory
from tests.portal.steps import advance
from tests.workflows import journey
from workflows.services import process_cancel

SEARCHES = [
    {},
    {"q": "covoiturage"},
    {"q": "REF-introuvable"},
    {"stage": "open"},
    {"stage": "draft"},
    {"stage": "closed"},
    {"stage": "inconnue"},
]


def calls(world, clock):
    """A call open to positions, a draft kept by its buyer, a draft referred to the
    Chambre, a published call then cancelled, a draft cancelled before publication, and
    a draft of another buyer."""
    advance(world, clock, "positioning", title="Covoiturage du quotidien")
    journey.start(world, title="Un brouillon de l'acheteur")
    advance(world, clock, "call_opinion", title="Un brouillon soumis à la Chambre")
    published = advance(world, clock, "positioning", title="Un appel publié puis annulé")
    process_cancel(actor=world.buyer_agent, challenge=published, reason="Besoin disparu.")
    draft = journey.start(world, title="Un brouillon annulé")
    process_cancel(actor=world.buyer_agent, challenge=draft, reason="Doublon.")
    other_buyer = OrganisationFactory(name="Région voisine", kind=OrganisationKind.BUYER)
    agent = member(other_buyer, "agent.autre", Role.ADMIN)
    world.extra["other_agent"] = agent
    other = replace(world, buyer=other_buyer, buyer_agent=agent)
    journey.start(other, title="Le brouillon d'un autre acheteur")


def callers(world):
    return {
        "visiteur": AnonymousUser(),
        "agent de l'acheteur": world.buyer_agent,
        "évaluateur de l'acheteur": world.evaluators[0],
        "modérateur de la Chambre": world.moderator,
        "membre de la Chambre": world.rapporteur,
        "partenaire": world.partner_users[0],
        "agent d'un autre acheteur": world.extra["other_agent"],
        "membre de la Chambre sans rôle d'avis": member(world.chambre, "simple", Role.MEMBER),
        "partenaire étranger à l'appel": world.stranger,
    }


@pytest.mark.django_db
def test_the_home_page_finds_the_calls_and_buyers_the_api_finds(world, clock):
    # given calls at every kind of visibility
    calls(world, clock)

    for name, user in callers(world).items():
        caller = home_queries.Caller.of(user)
        buyers = home_queries.call_buyers(caller)
        # then each caller is offered the same buyers
        visible = queries.challenges_visible_to(user)
        assert [(b.pk, b.name) for b in buyers] == list(
            Organisation.objects.filter(pk__in=visible.values("buyer_id"))
            .order_by("name")
            .values_list("pk", "name")
        ), name
        # and finds the same calls, in the same order, and as many, for every search
        for search in [*SEARCHES, {"buyer": str(world.buyer.pk)}, {"buyer": "x"}]:
            expected = visible.filter(queries.search_q(**search))
            found = home_queries.calls_found(caller, **search)
            assert list(found.values_list("pk", flat=True)) == list(
                expected.values_list("pk", flat=True)
            ), (name, search)
            page = home_queries.calls_page(caller, number=1, buyers=buyers, **search)
            assert page.paginator.count == expected.count(), (name, search)
            assert [card.pk for card in page] == [c.pk for c in expected[:10]], (name, search)


@pytest.mark.django_db
def test_each_card_shows_its_buyer_resources_and_next_deadline(client, world, clock):
    # given a call open to positions, with three resources
    published = advance(world, clock, "positioning", title="Covoiturage du quotidien")

    # when its page of the list is read
    caller = home_queries.Caller()
    page = home_queries.calls_page(caller, number=1, buyers=home_queries.call_buyers(caller))

    # then its card carries what the home page shows of it
    (card,) = page.object_list
    assert card.pk == published.pk
    assert card.buyer_name == world.buyer.name
    assert card.resource_count == published.resources.count() > 0
    assert card.deadline == queries.next_deadline(published)
    assert client.get(reverse("portal:home")).status_code == 200


PUBLIC = ["Covoiturage du quotidien", "Un appel publié puis annulé"]


@pytest.mark.django_db
def test_each_caller_sees_the_public_calls_and_the_drafts_it_needs_to_know(world, clock):
    # given calls at every kind of visibility
    calls(world, clock)
    referred = "Un brouillon soumis à la Chambre"
    expected = {
        "visiteur": PUBLIC,
        # its buyer's drafts, the cancelled one and the one referred included
        "agent de l'acheteur": [
            *PUBLIC,
            "Un brouillon annulé",
            "Un brouillon de l'acheteur",
            referred,
        ],
        "évaluateur de l'acheteur": PUBLIC,  # not the buyer's staff
        "modérateur de la Chambre": [*PUBLIC, referred],  # once referred, not before
        "membre de la Chambre": [*PUBLIC, referred],
        "partenaire": PUBLIC,
        "agent d'un autre acheteur": [*PUBLIC, "Le brouillon d'un autre acheteur"],
        "membre de la Chambre sans rôle d'avis": PUBLIC,  # need to know
        "partenaire étranger à l'appel": PUBLIC,
    }
    for name, user in callers(world).items():
        found = home_queries.calls_found(home_queries.Caller.of(user))
        assert sorted(found.values_list("title", flat=True)) == sorted(expected[name]), name
