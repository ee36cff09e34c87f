"""The buyer's form for the données essentielles it alone knows."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms.base import PortalForm
from procurement.models import ExecutionPlaceKind


class EssentialDataForm(PortalForm):
    cpv_code = forms.CharField(
        label=_("Code CPV principal"),
        max_length=12,
        required=False,
        help_text=_(
            "8 chiffres, avec ou sans chiffre de contrôle (ex. 72260000 : services de "
            "logiciels). Nomenclature européenne des achats publics."
        ),
    )
    execution_place_kind = forms.ChoiceField(
        label=_("Type de code du lieu d'exécution"),
        choices=[("", "—"), *ExecutionPlaceKind.choices],
        required=False,
        help_text=_("Les codes géographiques de l'INSEE sont préférés au code postal."),
    )
    execution_place_code = forms.CharField(
        label=_("Code du lieu d'exécution principal"),
        max_length=10,
        required=False,
        help_text=_("Ex. 59350 (code commune de Lille) ou 59 (département du Nord)."),
    )
    innovative = forms.BooleanField(
        label=_("Marché innovant (travaux, fournitures ou services innovants)"), required=False
    )
