"""Forms of the execution follow-up page: the buyer plans deliverables and milestones and
decides on what is submitted; the holder submits and marks reached. Their cleaned data
are the keyword arguments of one service each (``procurement.services.execution``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms.actions import OPTIONAL
from portal.forms.base import PortalForm
from portal.forms.funds import DateField


class DeliverablePlanForm(PortalForm):
    title = forms.CharField(label=_("Livrable attendu"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), **OPTIONAL
    )
    due_on = DateField(label=_("Attendu le"), **OPTIONAL)


class MilestonePlanForm(PortalForm):
    title = forms.CharField(label=_("Jalon"), max_length=200)
    planned_on = DateField(label=_("Date prévue"))


class SubmitForm(PortalForm):
    evidence_url = forms.CharField(
        label=_("Lien vers le livrable"),
        max_length=500,
        help_text=_(
            "Adresse web complète, par exemple le dépôt ou la publication ; "
            "elle est publiée sur cette page."
        ),
        widget=forms.URLInput,
    )


class DecideForm(PortalForm):
    reason = forms.CharField(
        label=_("Motif (obligatoire pour un refus)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        **OPTIONAL,
    )


class ReachForm(PortalForm):
    evidence_url = forms.CharField(
        label=_("Lien vers la preuve"),
        max_length=500,
        help_text=_("Adresse web complète, publiée sur cette page."),
        widget=forms.URLInput,
    )
    reached_on = DateField(
        label=_("Atteint le"), help_text=_("Aujourd'hui si vous ne dites rien."), **OPTIONAL
    )
