"""The e-mail alerts toggled from the personal space."""

from procurement.models import Subscription


def test_toggle_alerts_from_the_personal_space(world, login):
    client = login(world.partner_users[0])
    page = client.get("/espace/")
    assert "Alertes par e-mail" in page.content.decode()
    response = client.post("/espace/alertes/", {"buyer": world.buyer.pk, "subscribed": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith("/espace/#alertes")
    assert Subscription.objects.get(user=world.partner_users[0]).buyer == world.buyer
    page = client.get("/espace/").content.decode()
    assert "Appels de Métropole Européenne de Lille" in page
    assert "Alerte activée" in page
    client.post("/espace/alertes/", {"subscribed": "1"})
    assert Subscription.objects.filter(user=world.partner_users[0]).count() == 2
    client.post("/espace/alertes/", {"buyer": world.buyer.pk, "subscribed": "0"})
    assert list(
        Subscription.objects.filter(user=world.partner_users[0]).values_list("buyer", flat=True)
    ) == [None]


def test_alerts_refuse_an_unknown_buyer_and_anonymous(world, client, login):
    assert client.post("/espace/alertes/", {"subscribed": "1"}).status_code == 302
    assert not Subscription.objects.exists()
    login(world.partner_users[0])
    assert (
        client.post("/espace/alertes/", {"buyer": "123456", "subscribed": "1"}).status_code == 404
    )
    assert client.get("/espace/alertes/").status_code == 405
