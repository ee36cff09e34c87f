"""A service's refusal lands on the field it names, whatever shape it comes in."""

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError as DRFValidationError

from kernel.errors import ApplicationError, WrongState
from portal.errors import apply_refusal, flatten, portal_errors
from portal.forms import PortalForm


class Form(PortalForm):
    reservations = forms.CharField(required=False)
    amount = forms.CharField(required=False)


def bound() -> Form:
    form = Form({"reservations": "", "amount": "12"})
    assert form.is_valid()
    return form


def test_flatten_walks_nested_dicts_and_lists():
    detail = {"answers": [{}, {"answer": ["Trop long."]}], "proposals": ["Vide.", "Inconnue."]}

    assert list(flatten(detail)) == [
        (("answers", "1", "answer"), "Trop long."),
        (("proposals",), "Vide."),
        (("proposals",), "Inconnue."),
    ]


def test_application_error_goes_to_its_field_and_its_message_on_top():
    form = bound()

    status = apply_refusal(
        form,
        ApplicationError(
            "Un avis favorable avec réserves énonce au moins une réserve.",
            extra={"fields": {"reservations": ["Indiquez au moins une réserve."]}},
        ),
    )

    assert status == 400
    assert form.errors["reservations"] == ["Indiquez au moins une réserve."]
    assert form.non_field_errors() == [
        "Un avis favorable avec réserves énonce au moins une réserve."
    ]


def test_a_field_the_form_does_not_have_is_shown_on_top():
    form = bound()

    apply_refusal(form, ApplicationError("Grille invalide.", extra={"fields": {"grid": ["Vide."]}}))

    assert form.non_field_errors() == ["Vide.", "Grille invalide."]


def test_drf_detail_and_django_message_dict_reach_their_fields():
    form = bound()

    assert apply_refusal(form, DRFValidationError({"reservations": {0: ["Trop long."]}})) == 400
    apply_refusal(form, DjangoValidationError({"amount": ["Montant invalide."]}))

    assert form.errors["reservations"] == ["Trop long."]
    assert form.errors["amount"] == ["Montant invalide."]


def test_wrong_state_answers_409_with_its_message():
    form = bound()

    status = apply_refusal(form, WrongState("Le tour de cofinancement est clos."))

    assert status == 409
    assert form.non_field_errors() == ["Le tour de cofinancement est clos."]


def test_a_view_refused_for_its_stage_answers_a_409_page_with_the_reason(rf):
    # given a view whose call is past the stage it serves
    @portal_errors
    def view(request):
        raise WrongState("La date limite des propositions est passée.")

    # when it is opened
    response = view(rf.get("/"))

    # then a portal page says why, with 409
    assert response.status_code == 409
    assert "La date limite des propositions est passée." in response.content.decode()
