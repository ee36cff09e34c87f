"""The buyer's form for the données essentielles it alone knows."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms.base import PortalForm, required_when
from procurement.models import ExecutionPlaceKind


class EssentialDataForm(PortalForm):
    cpv_code = required_when(
        forms.CharField(
            label=_("Code CPV principal"),
            max_length=12,
            required=False,
            help_text=_(
                "8 chiffres, avec ou sans chiffre de contrôle (ex. 72260000 : services de "
                "logiciels). Nomenclature européenne des achats publics. Requis avant "
                "l'attribution (article R2196-1)."
            ),
        )
    )
    execution_place_kind = required_when(
        forms.ChoiceField(
            label=_("Type de code du lieu d'exécution"),
            choices=[("", "—"), *ExecutionPlaceKind.choices],
            required=False,
            help_text=_(
                "Les codes géographiques de l'INSEE sont préférés au code postal. Requis avant "
                "l'attribution (article R2196-1)."
            ),
        )
    )
    execution_place_code = required_when(
        forms.CharField(
            label=_("Code du lieu d'exécution principal"),
            max_length=10,
            required=False,
            help_text=_(
                "Ex. 59350 (code commune de Lille) ou 59 (département du Nord). Requis avant "
                "l'attribution (article R2196-1)."
            ),
        )
    )
    innovative = forms.BooleanField(
        label=_("Marché innovant (travaux, fournitures ou services innovants)"), required=False
    )
