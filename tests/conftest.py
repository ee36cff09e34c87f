import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pytest_factoryboy import register

from procurement.models import OrganisationKind, Role
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

register(UserFactory)
register(OrganisationFactory)
register(MembershipFactory)

PARIS = ZoneInfo("Europe/Paris")
IN_CI = os.environ.get("CI") == "true"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class World:
    """The cast of a challenge: a buyer with agents and evaluators, the Chambre, partners,
    funders and a host."""

    buyer: object
    buyer_agent: object
    evaluators: list
    chambre: object
    moderator: object
    rapporteur: object
    partners: list
    partner_users: list
    funders: list
    funder_users: list
    host: object
    stranger: object
    extra: dict = field(default_factory=dict)


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request made in English by an earlier
    test leaves English active in the thread (LocaleMiddleware does not reset it)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


def member(org, username, role=Role.MEMBER):
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    """The world's rows, written in the current database (the ``world`` fixture's, or a
    scale-out test's own database from a child process)."""
    # The buyer's SIRET identifies it in the données essentielles of its contracts.
    buyer = OrganisationFactory(
        name="Métropole Européenne de Lille",
        kind=OrganisationKind.BUYER,
        siren="200093201",
        siret="20009320100016",
        legal_form="Métropole (établissement public de coopération intercommunale)",
        address="2 boulevard des Cités Unies, 59040 Lille",
        representative_name="Mme Claire Dumont",
        representative_capacity="vice-présidente, par délégation",
    )
    chambre = OrganisationFactory(
        name="Chambre des communs de Lille", kind=OrganisationKind.CHAMBRE
    )
    # The partners are identified as a titulaire must be (SIRET, address, representative
    # and capacity): the acte d'engagement of a lot they win is drawn up without a gap.
    partners = [
        OrganisationFactory(
            name=name,
            kind=OrganisationKind.PARTNER,
            siret=siret,
            address=address,
            representative_name=representative,
            representative_capacity=capacity,
            vat_regime=vat_regime,
            legal_form=legal_form,
        )
        for name, legal_form, siret, address, representative, capacity, vat_regime in (
            (
                "Covoit Libre SAS",
                "SAS",
                "90000000100017",
                "5 place de la Gare, 59800 Lille",
                "Mme Inès Petit",
                "présidente",
                "standard",
            ),
            (
                "Mobicoop SCIC",
                "SCIC SA",
                "80000000200017",
                "10 rue de la Coopération, 59000 Lille",
                "M. Paul Girard",
                "gérant",
                "standard",
            ),
            (
                "Association Rues Partagées",
                "association loi 1901",
                "70000000300017",
                "3 rue des Arts, 59000 Lille",
                "Mme Léa Morel",
                "présidente",
                "exempt_association",
            ),
        )
    ]
    funders = [
        OrganisationFactory(name=name, kind=OrganisationKind.FUNDER)
        for name in ("ADEME Hauts-de-France", "Banque des Territoires")
    ]
    # Identified as a party to the contrat d'hébergement of the commons it hosts.
    host = OrganisationFactory(
        name="La Coop des Communs",
        kind=OrganisationKind.HOST,
        legal_form="SCIC SA à capital variable",
        siret="81234567600017",
        address="12 rue du Faubourg, 59000 Lille",
        representative_name="M. Hugo Lambert",
        representative_capacity="président",
    )
    stranger_org = OrganisationFactory(name="Entreprise Étrangère", kind=OrganisationKind.PARTNER)
    return World(
        buyer=buyer,
        buyer_agent=member(buyer, "agent.mel", Role.ADMIN),
        evaluators=[member(buyer, f"evaluateur{i}", Role.EVALUATOR) for i in (1, 2)],
        chambre=chambre,
        moderator=member(chambre, "moderateur", Role.MODERATOR),
        rapporteur=member(chambre, "rapporteuse", Role.ENGAGEMENT),
        partners=partners,
        partner_users=[member(org, f"partenaire{i}") for i, org in enumerate(partners, 1)],
        funders=funders,
        funder_users=[member(org, f"financeur{i}") for i, org in enumerate(funders, 1)],
        host=host,
        stranger=member(stranger_org, "etranger"),
    )


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.fixture
def clock():
    """Travel in time (time-machine); ``clock.move_to(dt)`` jumps, the clock ticks on."""
    import time_machine

    traveller = time_machine.travel(paris(2026, 9, 1, 9, 0), tick=False)
    frozen = traveller.start()
    yield frozen
    traveller.stop()


def later(dt, **kwargs):
    return dt + timedelta(**kwargs)


def require_service(name: str, check) -> None:
    """Skip when a service is absent on a developer's machine; under CI=true, fail."""
    try:
        check()
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"{name} est requis sous CI=true et ne répond pas : {exc}")
        pytest.skip(f"{name} absent : {exc}")
