"""``PATCH /api/v1/challenges/{id}/essential-data/``: the buyer gives the données
essentielles it alone knows (CPV code, place of execution, innovative) from the draft
until the signature; each wrong value is a 400 on its field, in French."""

import pytest

from procurement.models import AuditEvent, Challenge, ChallengeStatus
from tests.api.steps import challenge_url
from tests.workflows import journey


def url(challenge) -> str:
    return challenge_url(challenge.pk, "essential-data/")


@pytest.mark.django_db
def test_the_buyer_gives_the_essential_data_of_its_draft(world, api):
    # given a draft without them
    challenge = journey.start(world, cpv_code="", execution_place_kind="", execution_place_code="")

    # when its agent gives them, the CPV code with its check digit, the commune in lower case
    response = api(world.buyer_agent).patch(
        url(challenge),
        {
            "cpv_code": " 72260000-5 ",
            "execution_place_kind": "commune",
            "execution_place_code": "2a004",
            "innovative": True,
        },
        format="json",
    )

    # then they are saved as the données essentielles write them, and audited
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["cpv_code"], body["execution_place_code"], body["innovative"]) == (
        "72260000",
        "2A004",
        True,
    )
    assert AuditEvent.objects.filter(verb="challenge.essential_data_set").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"cpv_code": "7226000"}, "cpv_code", "8 chiffres"),
        ({"cpv_code": "02000000"}, "cpv_code", "8 chiffres"),  # no division 02
        (
            {"execution_place_kind": "department", "execution_place_code": "96"},
            "execution_place_code",
            "exemple : 59",
        ),
        ({"execution_place_kind": "commune"}, "execution_place_code", "Indiquez le code"),
        ({"execution_place_code": "59"}, "execution_place_kind", "Indiquez le type"),
    ],
)
def test_a_wrong_essential_data_is_a_400_on_its_field(world, api, data, field, text):
    # given a draft without a place of execution
    challenge = journey.start(world, cpv_code="", execution_place_kind="", execution_place_code="")

    # when its agent gives a wrong value
    response = api(world.buyer_agent).patch(url(challenge), data, format="json")

    # then 400 names the field and says why; nothing is saved
    assert response.status_code == 400, response.content
    assert text in response.json()["fields"][field][0]
    assert Challenge.objects.get(pk=challenge.pk).cpv_code == ""


@pytest.mark.django_db
def test_only_the_buyer_gives_them_and_never_once_signed(world, api):
    challenge = journey.start(world)

    # a partner may not: it does not even see the draft (404)
    partner = api(world.partner_users[0])
    response = partner.patch(url(challenge), {"innovative": True}, format="json")
    assert response.status_code == 404

    # once the contract is signed, nobody may (409): the data are published
    Challenge.objects.filter(pk=challenge.pk).update(status=ChallengeStatus.AWARDED)
    response = api(world.buyer_agent).patch(url(challenge), {"innovative": True}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "essential_data_closed"
