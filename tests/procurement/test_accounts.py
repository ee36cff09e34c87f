"""The rules of the ways in (procurement.services.accounts): who signs up, how the
organisation's number is checked, the e-mailed links (signed, expiring at their bound,
good once, tied to their address), the first member made administrator, the operator's
command."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from kernel.errors import ApplicationError, Forbidden, NotFound, WrongState
from procurement.models import Invitation, Membership, Organisation, OrganisationKind, Role
from procurement.services import accounts
from tests.conftest import member

pytestmark = pytest.mark.django_db

SIGNUP = {
    "name": "Open Mobility SAS",
    "kind": OrganisationKind.PARTNER,
    "identifier": "732 829 320 00074",
    "username": "ines",
    "email": "ines@openmobility.fr",
    "password": "un-mot-de-passe-long",
    "first_name": "Inès",
    "last_name": "Roux",
}


def token_of(body: str) -> str:
    return re.search(r"/(?:inscription/verifier|invitation)/([^/\s]+)/", body).group(1)


@pytest.mark.parametrize(
    ("typed", "fields"),
    [
        ("732 829 320 00074", {"siret": "73282932000074", "siren": "732829320"}),
        ("732829320", {"siren": "732829320"}),
        ("w595012345", {"rna": "W595012345"}),
        ("W2A1234567", {"rna": "W2A1234567"}),
    ],
)
def test_a_siret_a_siren_or_an_rna_number_identifies_the_organisation(typed, fields):
    assert accounts.organisation_identifier(typed) == fields


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("73282932000075", "siret_checksum"),  # Luhn key wrong by one
        ("732829321", "siren_checksum"),
        ("W59501234", "rna_format"),  # one character short
        ("12345", "identifier_format"),
        ("", "identifier_format"),
    ],
)
def test_a_wrong_number_is_refused_on_its_field(typed, code):
    with pytest.raises(ApplicationError) as refused:
        accounts.organisation_identifier(typed)
    assert refused.value.code == code
    assert "identifier" in refused.value.extra["fields"]


def test_sign_up_makes_an_inactive_admin_and_mails_a_link(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = accounts.organisation_register(**SIGNUP)
    assert not user.is_active
    organisation = Organisation.objects.get(name="Open Mobility SAS")
    assert organisation.siret == "73282932000074"
    assert Membership.objects.get(user=user).role == Role.ADMIN
    assert Membership.objects.get(user=user).organisation == organisation
    (message,) = mail.outbox
    assert message.to == ["ines@openmobility.fr"]
    assert "Activez votre compte" in message.subject
    # the link activates the account, once
    accounts.account_verify(token=token_of(message.body))
    user.refresh_from_db()
    assert user.is_active
    with pytest.raises(WrongState):
        accounts.account_verify(token=token_of(message.body))


def test_buyers_and_chambres_do_not_sign_up_here():
    for kind in (OrganisationKind.BUYER, OrganisationKind.CHAMBRE):
        with pytest.raises(ApplicationError) as refused:
            accounts.organisation_register(**{**SIGNUP, "kind": kind})
        assert "kind" in refused.value.extra["fields"]


def test_an_organisation_signs_up_once(world):
    # the world's buyer has SIREN 200093201: one of its establishments cannot sign up
    with pytest.raises(WrongState) as refused:
        accounts.organisation_register(**{**SIGNUP, "identifier": "20009320100024"})
    assert refused.value.code == "organisation_exists"
    with pytest.raises(ApplicationError) as refused:
        accounts.organisation_register(**{**SIGNUP, "email": world.buyer_agent.email.upper()})
    assert refused.value.code == "email_taken"
    with pytest.raises(ApplicationError) as refused:
        accounts.organisation_register(**{**SIGNUP, "password": "court"})
    assert "password" in refused.value.extra["fields"]
    assert not Organisation.objects.filter(name="Open Mobility SAS").exists()


def test_the_verification_link_expires_at_its_bound(settings):
    settings.ACCOUNT_LINK_MAX_AGE = 3600
    user = accounts.organisation_register(**SIGNUP)
    token = token_of(accounts.verification_link(user) + "/")
    start = timezone.now()
    with time_machine.travel(start + timedelta(seconds=3601), tick=False):
        with pytest.raises(WrongState) as refused:
            accounts.account_verify(token=token)
        assert refused.value.code == "link_expired"
    with time_machine.travel(start + timedelta(seconds=3599), tick=False):
        assert accounts.account_verify(token=token).is_active


def test_an_altered_link_is_not_found():
    user = accounts.organisation_register(**SIGNUP)
    token = token_of(accounts.verification_link(user) + "/")
    with pytest.raises(NotFound):
        accounts.account_verify(token=token[:-2] + "xx")


def test_an_account_deactivated_after_use_is_not_reactivated_by_its_old_link():
    user = accounts.organisation_register(**SIGNUP)
    token = token_of(accounts.verification_link(user) + "/")
    get_user_model().objects.filter(pk=user.pk).update(last_login=timezone.now())
    with pytest.raises(WrongState):
        accounts.account_verify(token=token)


def test_invitation_is_good_once_for_its_address_until_its_bound(world, settings):
    settings.INVITATION_MAX_AGE = 7 * 24 * 3600
    invitation = accounts.invitation_create(
        actor=world.buyer_agent, organisation=world.buyer, email="Nadia@lille.fr", role="evaluator"
    )
    token = token_of(accounts.invitation_link(invitation) + "/")
    start = timezone.now()
    # another account may not take it
    with pytest.raises(Forbidden):
        accounts.invitation_accept(token=token, user=world.stranger)
    # past 7 days it has expired
    with time_machine.travel(start + timedelta(days=7, seconds=1), tick=False):
        with pytest.raises(WrongState) as refused:
            accounts.invitation_access(token=token)
        assert refused.value.code == "link_expired"
    # just before, a new account is created for the invited address
    with time_machine.travel(start + timedelta(days=7, seconds=-1), tick=False):
        user = accounts.invitation_accept(
            token=token,
            account={
                "username": "nadia",
                "first_name": "Nadia",
                "last_name": "Benali",
                "password": "un-mot-de-passe-long",
            },
        )
    assert user.is_active
    assert user.email == "Nadia@lille.fr"
    assert Membership.objects.get(user=user).role == Role.EVALUATOR
    assert Invitation.objects.get().accepted_by == user
    # and it does not serve twice
    with pytest.raises(WrongState) as refused:
        accounts.invitation_accept(token=token, user=user)
    assert refused.value.code == "invitation_used"


def test_only_an_admin_invites_and_only_to_roles_of_the_kind(world):
    with pytest.raises(Forbidden):
        accounts.invitation_create(
            actor=world.evaluators[0], organisation=world.buyer, email="a@b.fr", role="member"
        )
    with pytest.raises(ApplicationError) as refused:
        accounts.invitation_create(
            actor=world.buyer_agent, organisation=world.buyer, email="a@b.fr", role="moderator"
        )
    assert refused.value.code == "role_not_allowed"
    with pytest.raises(ApplicationError) as refused:
        accounts.invitation_create(
            actor=world.buyer_agent,
            organisation=world.buyer,
            email=world.evaluators[0].email,
            role="member",
        )
    assert refused.value.code == "already_member"


def test_an_inactive_admin_does_not_count_as_the_remaining_admin(world):
    second = member(world.buyer, "second.admin", Role.ADMIN)
    second.is_active = False
    second.save()
    with pytest.raises(WrongState):
        accounts.member_roles_set(
            actor=world.buyer_agent,
            organisation=world.buyer,
            user=world.buyer_agent,
            roles=["member"],
        )


def test_create_operator_makes_a_superuser_who_reaches_the_admin(client):
    call_command("create_operator", "operatrice", email="ops@exemple.fr", password="pass-ops-2026")
    user = get_user_model().objects.get(username="operatrice")
    assert user.is_staff
    assert user.is_superuser
    assert user.is_active
    assert client.login(username="operatrice", password="pass-ops-2026")
    assert client.get("/admin/").status_code == 200
    # run again, it resets the password
    call_command(
        "create_operator", "operatrice", email="ops@exemple.fr", password="autre-pass-2026"
    )
    assert client.login(username="operatrice", password="autre-pass-2026")
    with pytest.raises(CommandError):
        call_command("create_operator", "court", email="c@exemple.fr", password="court")


def test_a_sign_up_never_verified_is_forgotten_once_its_link_expired(settings):
    # given a sign-up whose address had a typo: its link never followed
    settings.ACCOUNT_LINK_MAX_AGE = 3600
    first = accounts.organisation_register(**{**SIGNUP, "email": "ines@openmobilty.fr"})
    start = timezone.now()
    # while its link is good, the organisation is held
    with (
        time_machine.travel(start + timedelta(seconds=3599), tick=False),
        pytest.raises(WrongState),
    ):
        accounts.organisation_register(**{**SIGNUP, "username": "ines2"})
    # once it has expired, signing up again starts over, same number, name and username
    with time_machine.travel(start + timedelta(seconds=3601), tick=False):
        user = accounts.organisation_register(**SIGNUP)
    assert not get_user_model().objects.filter(pk=first.pk).exists()
    assert Organisation.objects.get(name="Open Mobility SAS").memberships.get().user == user
