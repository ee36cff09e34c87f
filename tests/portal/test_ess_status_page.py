"""« Mon organisation »: its administrators declare its ESS status (article 1er de la loi
n° 2014-856 du 31 juillet 2014, agrément ESUS of article L3332-17-1 du code du travail),
which opens the lots reserved under article L2113-15 du code de la commande publique;
its other members read it without changing it."""

from html import unescape

import pytest
from django.urls import reverse

from procurement.models import EssStatus, Organisation, Role
from tests.conftest import member
from tests.portal.test_award_parties import identity_data

pytestmark = pytest.mark.django_db


def test_an_administrator_declares_the_ess_status_and_the_page_shows_it(client, world, login):
    # given an administrator of a cooperative without ESS status
    org = Organisation.objects.create(name="Coop Solidaire", kind="partner")
    url = reverse("portal:organisation", args=[org.pk])
    login(member(org, "gerante", Role.ADMIN))
    assert "Hors économie sociale et solidaire" in unescape(client.get(url).content.decode())

    # when it declares the agrément ESUS with the identity
    response = client.post(url, identity_data(ess_status="esus"))

    # then it is saved and shown on the page
    assert response.status_code == 302
    assert Organisation.objects.get(pk=org.pk).ess_status == EssStatus.ESUS
    page = unescape(client.get(url).content.decode())
    assert "Agrément ESUS (article L3332-17-1 du code du travail)" in page


def test_a_member_sees_the_status_but_cannot_change_it(client, world, login):
    # given a mere member of the cooperative
    org = Organisation.objects.create(name="Coop Solidaire", kind="partner")
    url = reverse("portal:organisation", args=[org.pk])
    login(member(org, "cooperateur"))

    # the choice is shown disabled
    html = client.get(url).content.decode()
    assert 'value="ess" disabled' in html

    # and a forged post leaves the status unchanged while saving the identity
    response = client.post(url, identity_data(ess_status="ess"))
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.ess_status, org.representative_name) == (EssStatus.NONE, "M. Karim Benali")
