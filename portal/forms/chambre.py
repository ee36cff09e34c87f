"""The Chambre's forms on a referral page: naming the rapporteur, commenting, the
rapporteur's draft, sending a draft back; and the buyer's answer to a reservation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms.base import PortalForm, lines
from procurement import queries
from procurement.models import Verdict

OPTIONAL = {"required": False}


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class RapporteurForm(PortalForm):
    rapporteur = UserChoiceField(label=_("Rapporteur (groupe engagement)"), queryset=None)

    def __init__(self, *args, chambre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rapporteur"].queryset = queries.rapporteur_candidates(chambre)


class CommentForm(PortalForm):
    body = forms.CharField(
        label=_("Votre commentaire"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReturnForm(PortalForm):
    comment = forms.CharField(
        label=_("Ce qui est à reprendre"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DraftForm(PortalForm):
    verdict = forms.ChoiceField(
        label=_("Avis proposé"),
        choices=[(v, label) for v, label in Verdict.choices if v != Verdict.NONE_IN_TIME],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label=_("Motifs"),
        help_text=_("Obligatoires pour un avis défavorable."),
        widget=forms.Textarea(attrs={"rows": 4}),
        **OPTIONAL,
    )
    reservations = forms.CharField(
        label=_("Réserves"),
        help_text=_("Une réserve par ligne ; au moins une pour un avis favorable avec réserves."),
        widget=forms.Textarea(attrs={"rows": 4}),
        **OPTIONAL,
    )
    recommended_commons = forms.ModelMultipleChoiceField(
        label=_("Communs recommandés"),
        help_text=_("Communs référencés par la Chambre que l'acheteur devrait utiliser."),
        queryset=queries.commons_catalogue().filter(referenced=True),
        widget=forms.CheckboxSelectMultiple,
        **OPTIONAL,
    )
    licence_requirements = forms.CharField(
        label=_("Exigences de licence"),
        widget=forms.Textarea(attrs={"rows": 2}),
        **OPTIONAL,
    )

    @classmethod
    def initial_from(cls, referral) -> dict:
        if not referral.draft_verdict:
            return {}
        return {
            "verdict": referral.draft_verdict,
            "reasons": referral.draft_reasons,
            "reservations": "\n".join(referral.draft_reservations),
            "recommended_commons": list(referral.draft_recommended_commons.all()),
            "licence_requirements": referral.draft_licence_requirements,
        }

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {**data, "reservations": lines(data["reservations"])}


class ReservationAnswerForm(PortalForm):
    accepted = forms.TypedChoiceField(
        label=_("Suite donnée"),
        choices=[("1", _("Acceptée")), ("0", _("Déclinée"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("Réponse publique"),
        help_text=_("Ce qui a changé, ou pourquoi la réserve est déclinée."),
        widget=forms.Textarea(attrs={"rows": 2}),
        **OPTIONAL,
    )
