"""The Chambre's endpoints: who sees a referral and its draft, who acts on it, the
public answers, the catalogue's decisions and the Chambre's activity."""

import pytest

from procurement.models import Commons, Role
from tests.api.steps import challenge_url, error, ok, open_referral
from tests.conftest import member
from tests.workflows import journey
from tests.workflows.journey import complete, give_opinion

pytestmark = pytest.mark.django_db


@pytest.fixture
def referred(world, clock):
    challenge = journey.start(world)
    complete(challenge, "draft", world.buyer_agent, {"note": "Merci."})
    return challenge


def test_a_referral_is_seen_by_the_chambre_and_the_buyer_only(world, referred, api):
    porteur = api(member(world.chambre, "porteur", Role.PORTEURS))
    referral = open_referral(porteur, referred.pk, "call")
    url = challenge_url(referred.pk, f"referrals/{referral['id']}/")
    ok(api(world.moderator).post(url + "rapporteur/", {"rapporteur": world.rapporteur.pk}))
    ok(porteur.post(url + "comments/", {"body": "Attention à la licence."}), 201)
    ok(api(world.rapporteur).put(url + "draft/", {"verdict": "favorable"}, format="json"))

    inside = ok(porteur.get(url))
    assert inside["draft"]["verdict"] == "favorable"
    assert inside["comments"][0]["body"] == "Attention à la licence."
    buyer = ok(api(world.buyer_agent).get(url))
    assert (buyer["status"], buyer["draft"], buyer["comments"]) == ("drafting", None, [])
    # a partner, a stranger and the public: the draft call is not even visible
    for client in (api(world.partner_users[0]), api(world.stranger), api()):
        assert client.get(url).status_code in (401, 404)
    assert (
        ok(api(world.buyer_agent).get(challenge_url(referred.pk, "referrals/")))[0]["draft"] is None
    )


def test_writes_on_a_referral_are_refused_to_the_wrong_people(world, referred, api):
    referral = open_referral(api(world.moderator), referred.pk, "call")
    url = challenge_url(referred.pk, f"referrals/{referral['id']}/")
    buyer, rapporteur = api(world.buyer_agent), api(world.rapporteur)

    error(buyer.post(url + "rapporteur/", {"rapporteur": world.rapporteur.pk}), 403)
    error(buyer.post(url + "comments/", {"body": "Bonjour"}), 403)
    error(
        api(world.moderator).post(url + "rapporteur/", {"rapporteur": world.buyer_agent.pk}),
        400,
        "not_engagement",
    )
    error(rapporteur.put(url + "draft/", {"verdict": "favorable"}, format="json"), 403)
    ok(api(world.moderator).post(url + "rapporteur/", {"rapporteur": world.rapporteur.pk}))
    refused = error(rapporteur.put(url + "draft/", {"verdict": "reservations"}, format="json"), 400)
    assert refused["fields"]["reservations"] == ["Indiquez au moins une réserve."]
    error(buyer.put(url + "draft/", {"verdict": "favorable"}, format="json"), 403)
    error(api(world.moderator).post(url + "return/", {"comment": "Non"}), 409)


def test_the_buyer_answers_a_reservation_and_the_public_reads_it(world, clock, api):
    challenge = journey.start(world)
    complete(challenge, "draft", world.buyer_agent)
    give_opinion(world, challenge, verdict="reservations", reservations=["Licence à réciprocité"])
    opinion = challenge.opinions.get()
    url = challenge_url(challenge.pk, f"opinions/{opinion.pk}/answers/")

    error(api(world.moderator).post(url, {"reservation": 1, "accepted": True, "answer": "x"}), 403)
    error(
        api(world.buyer_agent).post(url, {"reservation": 2, "accepted": True, "answer": "x"}), 400
    )
    answered = ok(
        api(world.buyer_agent).post(
            url, {"reservation": 1, "accepted": False, "answer": "Licence EUPL maintenue."}
        )
    )
    assert answered["answers"] == [
        {
            "reservation": 1,
            "accepted": False,
            "answer": "Licence EUPL maintenue.",
            "answered_at": answered["answers"][0]["answered_at"],
        }
    ]
    complete(challenge, "revise", world.buyer_agent, {"resubmit": False})
    complete(
        challenge,
        "publish",
        world.buyer_agent,
        {
            "positioning_deadline": "2026-09-10T12:00:00+02:00",
            "proposal_deadline": "2026-10-10T12:00:00+02:00",
        },
    )
    public = ok(api().get(challenge_url(challenge.pk, "opinions/")))
    assert public[0]["answers"][0]["answer"] == "Licence EUPL maintenue."
    assert public[0]["referred_at"] is not None
    activity = ok(api().get(f"/api/v1/chambres/{world.chambre.pk}/activity/"))
    assert activity["given"] == 1
    assert activity["opinions"][0]["verdict"] == "reservations"
    assert activity["delay_days"] == 15


def test_catalogue_decisions_through_the_api(world, api):
    proposed = ok(
        api(world.partner_users[0]).post(
            "/api/v1/commons/",
            {
                "name": "Référentiel des arrêts de bus",
                "category": "knowledge",
                "licence": "ODbL-1.0",
                "description": "Les arrêts et leurs équipements.",
                "community": "Réseaux de transport et usagers.",
                "governance": "Comité ouvert, décisions publiques.",
            },
        ),
        201,
    )
    assert proposed["referenced"] is False
    url = f"/api/v1/commons/{proposed['id']}/decisions/"
    body = {"chambre": world.chambre.pk, "kind": "reference", "reason": "Gouverné et ouvert."}
    error(api(world.partner_users[0]).post(url, body), 403)
    error(api(world.moderator).post(url, {**body, "reason": ""}), 400)
    ok(api(world.moderator).post(url, body), 201)
    assert Commons.objects.get(pk=proposed["id"]).referenced
    decisions = ok(api().get(url))
    assert [(d["kind"], d["reason"]) for d in decisions] == [("reference", "Gouverné et ouvert.")]
    error(api().get("/api/v1/commons/999999/decisions/"), 404)
    error(api().post("/api/v1/commons/", {"name": "x", "category": "knowledge"}), 401)


def test_a_reservation_named_by_an_odd_digit_is_a_400_not_a_500(world, clock, api):
    challenge = journey.start(world)
    complete(challenge, "draft", world.buyer_agent)
    give_opinion(world, challenge, verdict="reservations", reservations=["Licence"])
    task = journey.open_task(challenge, "revise")
    response = api(world.buyer_agent).post(
        f"/api/v1/tasks/{task.pk}/complete/",
        {"resubmit": False, "answers": [{"reservation": "²", "accepted": True, "answer": "x"}]},
        format="json",
    )
    error(response, 400, "invalid_answer")


def test_a_hidden_referral_answers_404_before_reading_the_body(world, referred, api):
    referral = open_referral(api(world.moderator), referred.pk, "call")
    url = challenge_url(referred.pk, f"referrals/{referral['id']}/rapporteur/")
    stranger = api(world.stranger)
    # whether the user id exists or not, a stranger learns nothing
    error(stranger.post(url, {"rapporteur": world.rapporteur.pk}), 404)
    error(stranger.post(url, {"rapporteur": 999999}), 404)
    # and the modérateur naming a user outside the engagement group gets the same 400
    error(api(world.moderator).post(url, {"rapporteur": 999999}), 400, "not_engagement")


def test_the_activity_of_a_chambre_says_nothing_of_unpublished_calls(world, referred, api):
    activity = ok(api().get(f"/api/v1/chambres/{world.chambre.pk}/activity/"))
    assert (activity["pending"], activity["opinions"]) == (0, [])
