"""The portal's select (portal.forms.base.Select), written by Python for speed, is the
same HTML as Django's templates write: the filters of the list of calls look and read
as before, errors and hints included."""

import pytest
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms.base import Select

CHOICES = [
    ("", _("Tous les acheteurs")),
    ("1", "Métropole <Lille> & « co »"),
    (2, 'Région "Hauts-de-France"'),
    ("open", _("Ouverts aux positionnements ou aux propositions")),
]


@pytest.mark.parametrize("value", [None, "", "1", 2, "open", "absent"])
@pytest.mark.parametrize(
    "attrs",
    [
        None,
        {"class": "fr-select", "id": "id_buyer"},
        {"class": "fr-select", "aria-describedby": "id_buyer-messages", "aria-invalid": "true"},
        {"required": True, "disabled": False, "data-x": 'a"b'},
    ],
)
def test_the_select_writes_what_djangos_templates_write(value, attrs):
    # when the same choices are written by both
    ours = Select(choices=CHOICES).render("buyer", value, attrs=attrs)
    django = forms.Select(choices=CHOICES).render("buyer", value, attrs=attrs)

    # then the HTML is the same, byte for byte
    assert str(ours) == str(django)


def test_a_select_with_groups_is_left_to_the_templates():
    choices = [("Lille", [("1", "Métropole"), ("2", "Ville")]), ("3", "Région")]
    ours = Select(choices=choices).render("buyer", "2")
    assert str(ours) == str(forms.Select(choices=choices).render("buyer", "2"))
    assert '<optgroup label="Lille">' in ours
