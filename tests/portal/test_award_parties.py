"""The award's parties entered in the portal (issue 15): an organisation's identity as
titulaire by its members (« Mon organisation »), a groupement's form and split with
its proposal, the structure hébergeuse of a funded commons by the buyer; and the
buyer's documents page saying what keeps a piece back and where it is entered."""

from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kernel.errors import WrongState
from procurement.models import AuditEvent, ChallengeResource, Organisation, Proposal, Role
from procurement.services.positions import position_create, working_group_designate_coordinator
from tests.conftest import later, member
from tests.portal.steps import POSITIONING_END, advance
from tests.portal.test_proposal_parts import proposal_data
from tests.portal.test_tasks import field_error
from tests.workflows import journey
from tests.workflows.journey import sweep
from workflows.documents import documents_generate

# A Luhn-valid SIRET (La Poste's head office), as printed with its spaces.
SIRET_TYPED = "356 000 000 00048"
SIRET = "35600000000048"


def identity_data(**overrides) -> dict:
    data = {
        "legal_form": "SCIC",
        "siret": SIRET_TYPED,
        "address": "12 rue Nationale, 59000 Lille",
        "representative_name": "M. Karim Benali",
        "representative_capacity": "directeur général",
        "vat_regime": "standard",
    }
    data.update(overrides)
    return data


# --- « Mon organisation » ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_member_reads_its_organisations_identity_and_others_may_not(client, world, login):
    org = world.partners[1]
    url = reverse("portal:organisation", args=[org.pk])

    # an anonymous visitor is sent to sign in
    assert client.get(url).status_code == 302

    # a member sees the identity filled in, with its current values
    html = login(world.partner_users[1]).get(url).content.decode()
    assert 'value="M. Paul Girard"' in html
    assert 'value="80000000200017"' in html

    # a member of another organisation does not even learn the page exists
    assert login(world.partner_users[0]).get(url).status_code == 404
    assert login(world.stranger).get(url).status_code == 404

    # an evaluator belongs to the buyer but does not speak for it
    buyer_url = reverse("portal:organisation", args=[world.buyer.pk])
    refused = login(world.evaluators[0]).get(buyer_url)
    assert refused.status_code == 403
    assert "Seuls les membres de l'organisation modifient son identité" in unescape(
        refused.content.decode()
    )


@pytest.mark.django_db
def test_a_member_states_the_identity_through_the_service(client, world, login):
    # given a partner with no identity yet
    org = Organisation.objects.create(name="Coop Nouvelle", kind="partner")
    user = member(org, "cooperatrice")
    url = reverse("portal:organisation", args=[org.pk])
    login(user)
    assert "Manque : SIRET, adresse" in unescape(client.get(url).content.decode())

    # when it states it, the SIRET typed with its spaces
    response = client.post(url, identity_data())

    # then it is saved as the acte d'engagement needs it, and audited
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.siret, org.representative_name, org.representative_capacity) == (
        SIRET,
        "M. Karim Benali",
        "directeur général",
    )
    assert org.legal_form == "SCIC"
    event = AuditEvent.objects.get(verb="organisation.identity_updated")
    assert "siret" in event.data["fields"]
    page = unescape(client.get(url).content.decode())
    assert "L'identité de l'organisation est enregistrée." in page
    assert "Manque :" not in page


@pytest.mark.django_db
def test_a_wrong_siret_is_refused_on_its_field_in_french_keeping_what_was_typed(
    client, world, login
):
    org = world.partners[0]
    url = reverse("portal:organisation", args=[org.pk])
    login(world.partner_users[0])

    # when the key of the SIRET is wrong (last digit changed)
    refused = client.post(
        url, identity_data(siret="356 000 000 00049", address="1 rue Neuve, 59000 Lille")
    )

    # then 400, the reason next to the field, everything typed still there, nothing saved
    html = unescape(refused.content.decode())
    assert refused.status_code == 400
    assert "clé de contrôle incorrecte" in field_error(html, "id_siret")
    assert 'value="1 rue Neuve, 59000 Lille"' in html
    assert 'value="M. Karim Benali"' in html
    saved = Organisation.objects.get(pk=org.pk)
    assert (saved.siret, saved.address) == ("90000000100017", "5 place de la Gare, 59800 Lille")


@pytest.mark.django_db
def test_a_member_of_another_organisation_cannot_post_an_identity(client, world, login):
    org = world.partners[2]
    url = reverse("portal:organisation", args=[org.pk])
    assert login(world.partner_users[0]).post(url, identity_data()).status_code == 404
    assert Organisation.objects.get(pk=org.pk).siret == "70000000300017"


@pytest.mark.django_db
def test_the_inbox_links_each_of_my_organisations_to_its_page(client, world, login):
    html = login(world.partner_users[0]).get(reverse("portal:inbox")).content.decode()
    assert reverse("portal:organisation", args=[world.partners[0].pk]) in html


# --- the groupement, with the proposal -----------------------------------------------------


def two_member_group(world, clock, **fields):
    """A call (published with ``fields``) in its proposals stage whose first resource's
    working group has two members, Covoit Libre SAS (coordinator) and Mobicoop SCIC."""
    challenge = advance(world, clock, "positioning", **fields)
    journey.position_and_propose(world, challenge)
    resource = ChallengeResource.objects.filter(challenge=challenge).order_by("order").first()
    position_create(
        actor=world.partner_users[1],
        resource=resource,
        organisation=world.partners[1],
        intent="contribute",
        contributions=[{"kind": "skills", "days": Decimal(10), "profile": "Designer"}],
    )
    clock.move_to(later(POSITIONING_END, seconds=1))
    sweep()
    group = ChallengeResource.objects.get(pk=resource.pk).working_group
    working_group_designate_coordinator(
        actor=world.partner_users[0], group=group, organisation=world.partners[0]
    )
    return challenge, group


def groupement_data(group, world, kind="joint", shares=("18000", "12000")) -> dict:
    g = f"g{group.pk}"
    data = proposal_data(group)
    data[f"{g}-groupement_kind"] = kind
    for org, amount in zip(world.partners[:2], shares, strict=True):
        data[f"{g}-share_{org.pk}"] = amount
    return data


@pytest.mark.django_db
def test_the_coordinator_declares_the_groupement_with_the_proposal(client, world, clock, login):
    # given a group of two members, Covoit Libre SAS coordinating
    challenge, group = two_member_group(world, clock)
    url = reverse("portal:proposal", args=[challenge.pk])
    login(world.partner_users[0])
    html = unescape(client.get(url).content.decode())
    assert "Forme du groupement" in html
    assert f"Part de « {world.partners[1].name} » dans le prix HT (€)" in html

    # when it submits a joint groupement whose shares make the price (30 000 € HT)
    response = client.post(url, groupement_data(group, world, shares=("18 000", "12000,00")))

    # then the proposal records the form and each member's share
    assert response.status_code == 302, field_error(
        response.content.decode(), f"id_g{group.pk}-share_{world.partners[0].pk}"
    )
    proposal = Proposal.objects.get(group=group)
    assert proposal.groupement_kind == "joint"
    shares = {s.organisation_id: s.amount for s in proposal.member_shares.all()}
    assert shares == {world.partners[0].pk: Decimal(18000), world.partners[1].pk: Decimal(12000)}

    # and the page, opened again, shows them for a replacement
    html = client.get(url).content.decode()
    assert 'value="18000.00"' in html or 'value="18000,00"' in html
    assert 'value="joint" checked' in html


@pytest.mark.django_db
def test_shares_that_do_not_make_the_price_are_refused_keeping_the_input(
    client, world, clock, login
):
    challenge, group = two_member_group(world, clock)
    url = reverse("portal:proposal", args=[challenge.pk])
    login(world.partner_users[0])

    # when the shares add up to 29 000 € for a price of 30 000 €
    refused = client.post(url, groupement_data(group, world, shares=("17000", "12000")))

    # then 400 in French on the first share, the typed shares and rows kept, nothing saved
    html = refused.content.decode()
    assert refused.status_code == 400
    message = field_error(html, f"id_g{group.pk}-share_{world.partners[0].pk}")
    assert "les parts des membres font 29\u202f000,00\xa0€ HT" in unescape(message)
    assert 'value="17000"' in html
    assert 'value="12000"' in html
    assert 'value="Développement du validateur"' in unescape(html)
    assert not Proposal.objects.filter(group=group).exists()


@pytest.mark.django_db
def test_only_the_coordinator_declares_the_groupement(client, world, clock, login):
    challenge, group = two_member_group(world, clock)
    url = reverse("portal:proposal", args=[challenge.pk])

    # when Mobicoop, a member but not the coordinator, declares it
    refused = login(world.partner_users[1]).post(url, groupement_data(group, world))

    # then 403, said on the form, nothing saved
    assert refused.status_code == 403
    assert "Seul le coordinateur du groupe de travail" in unescape(refused.content.decode())
    assert not Proposal.objects.filter(group=group).exists()


@pytest.mark.django_db
def test_a_group_of_one_organisation_declares_no_groupement(client, world, clock, login):
    challenge = advance(world, clock, "proposals")
    html = login(world.partner_users[0]).get(reverse("portal:proposal", args=[challenge.pk]))
    assert "Forme du groupement" not in unescape(html.content.decode())


@pytest.mark.django_db
def test_hors_marche_the_proposal_form_offers_no_groupement(client, world, clock, login):
    """Articles R2142-19 to R2142-27: the groupement belongs to a marché public; hors
    marché the form does not offer what ``proposal_submit`` refuses."""
    # given a call hors marché whose working group has two members
    challenge, group = two_member_group(world, clock, **journey.SUBSIDISED)
    url = reverse("portal:proposal", args=[challenge.pk])
    login(world.partner_users[0])

    # when its coordinator opens the proposal page
    html = unescape(client.get(url).content.decode())

    # then neither the groupement's form nor a member's share is asked for
    assert "Forme du groupement" not in html
    assert "dans le prix HT (€)" not in html

    # and a proposal posted with groupement fields all the same is recorded without any
    response = client.post(url, groupement_data(group, world))
    assert response.status_code == 302
    proposal = Proposal.objects.get(group=group)
    assert proposal.groupement_kind == ""
    assert not proposal.member_shares.exists()


# --- the structure hébergeuse -----------------------------------------------------------


@pytest.fixture
def cofunded(world, clock):
    """A call in cofunding whose selected resource has no commons nor host yet."""
    challenge = journey.in_cofunding(world, clock, host=False)
    resource = challenge.proposals.order_by("pk").first().group.resource
    return challenge, ChallengeResource.objects.get(pk=resource.pk)


@pytest.mark.django_db
def test_only_the_buyers_agents_open_the_hosting_page(client, world, login, cofunded):
    challenge, _resource = cofunded
    url = reverse("portal:hosting", args=[challenge.pk])
    assert client.get(url).status_code == 302
    assert login(world.partner_users[0]).get(url).status_code == 403
    assert login(world.stranger).get(url).status_code == 403
    html = login(world.buyer_agent).get(url).content.decode()
    assert world.host.name in unescape(html)


@pytest.mark.django_db
def test_the_buyer_designates_the_host_through_the_service(client, world, login, cofunded):
    # given the selected resource, cofunded, without a host
    challenge, resource = cofunded
    url = reverse("portal:hosting", args=[challenge.pk])
    login(world.buyer_agent)
    html = unescape(client.get(url).content.decode())
    assert f'id="ressource-{resource.pk}"' in html

    # when the buyer chooses the structure hébergeuse
    response = client.post(url, {"resource": resource.pk, f"r{resource.pk}-host": world.host.pk})

    # then the resource becomes a commons hosted by it, and the page says so
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.commons.host == world.host
    assert AuditEvent.objects.filter(verb="commons.host_designated").count() == 1
    page = unescape(client.get(url).content.decode())
    assert f"« {world.host.name} » est la structure hébergeuse du commun" in page
    assert f'name="r{resource.pk}-host"' not in page


@pytest.mark.django_db
def test_a_host_not_chosen_is_refused_on_its_field(client, world, login, cofunded):
    challenge, resource = cofunded
    url = reverse("portal:hosting", args=[challenge.pk])
    login(world.buyer_agent)

    # a partner is not among the choices: refused in French, next to the field
    refused = client.post(
        url, {"resource": resource.pk, f"r{resource.pk}-host": world.partners[0].pk}
    )
    assert refused.status_code == 400
    assert "Sélectionnez un choix valide" in unescape(
        field_error(refused.content.decode(), f"id_r{resource.pk}-host")
    )
    resource.refresh_from_db()
    assert resource.commons is None

    # a resource of no call of this page is not found
    other = ChallengeResource.objects.exclude(challenge=challenge).first()
    if other is not None:
        assert client.post(url, {"resource": other.pk}).status_code == 404
    assert client.post(url, {"resource": "x"}).status_code == 404


@pytest.mark.django_db
def test_the_hosting_page_reads_the_same_queries_whatever_its_resources(
    client, world, login, cofunded
):
    # given the page of a call with three resources, one host organisation
    challenge, _resource = cofunded
    url = reverse("portal:hosting", args=[challenge.pk])
    login(world.buyer_agent)
    client.get(url)  # the session and the caches warm up
    with CaptureQueriesContext(connection) as three:
        assert client.get(url).status_code == 200

    # when the call asks for five more resources and a second host is registered
    for n in range(5):
        ChallengeResource.objects.create(challenge=challenge, title=f"Ressource {n}", order=10 + n)
    Organisation.objects.create(name="Hébergeur Deux", kind="host")
    with CaptureQueriesContext(connection) as eight:
        html = client.get(url).content.decode()

    # then the page lists them all, for as many queries
    assert html.count('name="resource"') == 8
    assert len(eight) == len(three)


@pytest.mark.django_db
def test_a_partner_cannot_designate_a_host(client, world, login, cofunded):
    challenge, resource = cofunded
    url = reverse("portal:hosting", args=[challenge.pk])
    response = login(world.partner_users[0]).post(
        url, {"resource": resource.pk, f"r{resource.pk}-host": world.host.pk}
    )
    assert response.status_code == 403
    resource.refresh_from_db()
    assert resource.commons is None


# --- the pack, refused: what is missing and where it is entered ------------------------------


def refused_pack(world, clock):
    """Cofunding closed with the awardee's representative unknown and no host: the
    award pieces' job failed (``pieces_refused``)."""
    challenge = journey.in_cofunding(world, clock)
    awardee = challenge.proposals.get(status="selected").group.coordinator
    Organisation.objects.filter(pk=awardee.pk).update(representative_name="")
    journey.close_cofunding(clock)
    journey.withdraw_hosts(challenge)
    challenge.refresh_from_db()
    with pytest.raises(WrongState):
        documents_generate(challenge=challenge, actor=world.buyer_agent)
    return challenge, awardee


@pytest.mark.django_db
def test_the_documents_page_says_what_is_missing_and_links_to_where_it_is_entered(
    client, world, clock, login
):
    # given a generation refused for a missing host and an incomplete identity
    challenge, awardee = refused_pack(world, clock)
    resource = challenge.proposals.get(status="selected").group.resource
    url = reverse("portal:documents", args=[challenge.pk])

    # when the buyer opens the pack
    html = unescape(login(world.buyer_agent).get(url).content.decode())

    # then it reads what is missing, with the page that designates the host…
    gaps = html.split('id="pieces-en-attente"')[1].split("</div>")[0]
    assert f"l'identité de « {awardee.name} » est incomplète (manque : représentant légal)" in gaps
    assert "désignez d'abord sa structure hébergeuse" in gaps
    hosting = reverse("portal:hosting", args=[challenge.pk])
    assert f'href="{hosting}#ressource-{resource.pk}"' in gaps
    # …and who completes the identity, which the buyer may not enter
    assert f"Seuls les membres de « {awardee.name} » complètent son identité" in gaps
    assert reverse("portal:organisation", args=[awardee.pk]) not in gaps

    # when the host is designated and a member states the representative
    client.post(hosting, {"resource": resource.pk, f"r{resource.pk}-host": world.host.pk})
    user = world.partner_users[world.partners.index(awardee)]
    login(user).post(
        reverse("portal:organisation", args=[awardee.pk]),
        {
            "legal_form": awardee.legal_form,
            "siret": awardee.siret,
            "address": awardee.address,
            "representative_name": "Mme Inès Petit",
            "representative_capacity": "présidente",
            "vat_regime": "standard",
        },
    )

    # then nothing is left to complete
    html = login(world.buyer_agent).get(url).content.decode()
    assert 'id="pieces-en-attente"' not in html


@pytest.mark.django_db
def test_the_titulaires_member_is_asked_for_the_identity_and_linked_to_it(
    client, world, clock, login
):
    # given the refused pack; when a member of the awardee opens its space
    _challenge, awardee = refused_pack(world, clock)
    user = world.partner_users[world.partners.index(awardee)]
    html = unescape(login(user).get(reverse("portal:inbox")).content.decode())

    # then it is asked to complete the identity, with the page's link
    page = reverse("portal:organisation", args=[awardee.pk])
    assert f'<a class="fr-link" href="{page}">Compléter l\'identité de « {awardee.name} »' in html
    assert "représentant légal" in html
    org_page = unescape(client.get(page).content.decode())
    assert "Votre organisation est retenue : son identité est attendue" in org_page


@pytest.mark.django_db
def test_a_buyer_agent_member_of_the_titulaire_gets_the_link(client, world, clock, login):
    # given the buyer's agent is also a member of the awardee (a test of the link rule)
    challenge, awardee = refused_pack(world, clock)
    Organisation.objects.get(pk=awardee.pk).memberships.create(
        user=world.buyer_agent, role=Role.MEMBER
    )
    html = unescape(
        login(world.buyer_agent)
        .get(reverse("portal:documents", args=[challenge.pk]))
        .content.decode()
    )
    page = reverse("portal:organisation", args=[awardee.pk])
    assert f'<a class="fr-link" href="{page}">Compléter l\'identité de « {awardee.name} »' in html


@pytest.mark.django_db(transaction=True)
def test_r2152_13_the_coordinator_settles_a_retained_groupement_in_the_portal(
    client, world, clock, login
):
    from tests.workflows.test_groupement_settle import grouped

    # given a selected proposal of two organisations with no groupement declared
    challenge, proposal, coordinator, other, price = grouped(world, clock)
    url = reverse("portal:proposal", args=[challenge.pk])
    prefix = f"m{proposal.group_id}"
    login(coordinator)
    html = unescape(client.get(url).content.decode())
    assert f'id="mise-au-point-{proposal.group_id}"' in html
    assert "article R2152-13" in html

    # when the shares do not make the price, the page says so and keeps the input
    data = {
        "group": proposal.group_id,
        "action": "groupement",
        f"{prefix}-groupement_kind": "joint",
        f"{prefix}-share_{proposal.group.coordinator_id}": str(price - 5000),
        f"{prefix}-share_{other.pk}": "4000",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert 'value="4000"' in refused.content.decode()

    # when they do, the groupement is settled
    data[f"{prefix}-share_{other.pk}"] = "5000"
    assert client.post(url, data).status_code == 302
    proposal.refresh_from_db()
    assert proposal.groupement_kind == "joint"
    assert {s.organisation_id: s.amount for s in proposal.member_shares.all()} == {
        proposal.group.coordinator_id: price - 5000,
        other.pk: Decimal(5000),
    }
