"""Wording a newcomer stumbles on: « (facultatif) » only on fields no rule requires."""

from django.template.loader import render_to_string

from portal.forms.essential_data import EssentialDataForm


def label_of(form, name: str) -> str:
    return render_to_string("portal/includes/field.html", {"field": form[name]})


def test_a_field_required_by_a_rule_is_not_called_optional():
    form = EssentialDataForm()
    # the CPV code and the place of execution are required before the award (R2196-1)
    for name in ("cpv_code", "execution_place_kind", "execution_place_code"):
        html = label_of(form, name)
        assert "facultatif" not in html, name
        assert "R2196-1" in html


def test_a_truly_optional_field_still_says_so():
    from portal.forms import ChallengeFilterForm

    assert "(facultatif)" in label_of(ChallengeFilterForm(buyers=[]), "q")
