"""Forms of the domain actions done during the timed stages (positions, proposals,
cofunding, questions and answers) and the catalogue's filters. Their cleaned data
are the keyword arguments of one service each."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms.base import EurosField, NumberField, PortalForm, Select, required_when
from procurement.models import (
    BudgetCategory,
    BudgetScope,
    BudgetUnit,
    CommonsCategory,
    ContributionKind,
    GroupementKind,
    Intent,
)
from procurement.uploads import MAX_UPLOAD_BYTES

OPTIONAL = {"required": False}


class OrganisationChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Au nom de"))
        kwargs.setdefault("empty_label", None)
        super().__init__(queryset=None, **kwargs)


class ResourceChoiceField(forms.ModelChoiceField):
    widget = forms.RadioSelect

    def label_from_instance(self, obj):
        return obj.title


CONTRIBUTION_ROWS = 3
CONTRIBUTION_FIELDS = ("kind", "days", "profile", "description", "amount")


class PositionForm(PortalForm):
    """A position and up to ``CONTRIBUTION_ROWS`` contributions, one per row: its type
    and the fields of that type (the rows left empty are ignored)."""

    organisation = OrganisationChoiceField()
    resource = ResourceChoiceField(label=_("Ressource"), queryset=None, empty_label=None)
    intent = forms.ChoiceField(
        label=_("Intention"), choices=Intent.choices, widget=forms.RadioSelect
    )
    public_name = forms.BooleanField(
        label=_("Afficher publiquement le nom de mon organisation"), **OPTIONAL
    )

    def __init__(self, data=None, *, organisations, resources, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["resource"].queryset = resources
        for i in range(CONTRIBUTION_ROWS):
            n = i + 1
            self.fields[f"c{i}_kind"] = forms.ChoiceField(
                label=_("Type de la contribution %(n)s") % {"n": n},
                choices=[("", "—"), *ContributionKind.choices],
                **OPTIONAL,
            )
            self.fields[f"c{i}_days"] = NumberField(
                label=_("Contribution %(n)s — compétences : jours-personne") % {"n": n},
                max_digits=8,
                decimal_places=1,
                **OPTIONAL,
            )
            self.fields[f"c{i}_profile"] = forms.CharField(
                label=_("Contribution %(n)s — compétences : profil des personnes") % {"n": n},
                max_length=200,
                **OPTIONAL,
            )
            self.fields[f"c{i}_description"] = forms.CharField(
                label=_("Contribution %(n)s — moyens techniques : description") % {"n": n},
                widget=forms.Textarea(attrs={"rows": 2}),
                **OPTIONAL,
            )
            self.fields[f"c{i}_amount"] = EurosField(
                label=_("Contribution %(n)s — apport financier : montant (€)") % {"n": n},
                **OPTIONAL,
            )
        self._rows: list[int] = []

    @classmethod
    def initial_for(cls, position) -> dict:
        initial = {
            "organisation": position.organisation_id,
            "resource": position.resource_id,
            "intent": position.intent,
            "public_name": position.public_name,
        }
        for i, c in enumerate(list(position.contributions.all())[:CONTRIBUTION_ROWS]):
            for name in CONTRIBUTION_FIELDS:
                initial[f"c{i}_{name}"] = getattr(c, name)
        return initial

    def rows(self):
        """The bound fields of each contribution row, for the template."""
        return [
            {name: self[f"c{i}_{name}"] for name in CONTRIBUTION_FIELDS}
            for i in range(CONTRIBUTION_ROWS)
        ]

    def clean(self):
        data = super().clean()
        for i in range(CONTRIBUTION_ROWS):
            filled = any(data.get(f"c{i}_{n}") not in (None, "") for n in CONTRIBUTION_FIELDS)
            if filled and not data.get(f"c{i}_kind"):
                self.add_error(f"c{i}_kind", _("Choisissez le type de cette contribution."))
        return data

    def contributions(self) -> list[dict]:
        items, self._rows = [], []
        data = self.cleaned_data
        for i in range(CONTRIBUTION_ROWS):
            kind = data.get(f"c{i}_kind")
            if not kind:
                continue
            self._rows.append(i)
            items.append(
                {
                    name: data.get(f"c{i}_{name}")
                    for name in CONTRIBUTION_FIELDS
                    if data.get(f"c{i}_{name}") not in (None, "")
                }
            )
        return items

    def field_for_error(self, path: tuple[str, ...]) -> str | None:
        if path and path[0] == "contributions":
            if len(path) >= 3 and path[1].isdigit() and int(path[1]) < len(self._rows):
                name = f"c{self._rows[int(path[1])]}_{path[2]}"
                return name if name in self.fields else None
            return "c0_kind"
        return super().field_for_error(path)

    def service_kwargs(self) -> dict:
        return {
            "organisation": self.cleaned_data["organisation"],
            "resource": self.cleaned_data["resource"],
            "intent": self.cleaned_data["intent"],
            "public_name": self.cleaned_data["public_name"],
            "contributions": self.contributions(),
        }

    def update_kwargs(self) -> dict:
        kwargs = self.service_kwargs()
        del kwargs["organisation"], kwargs["resource"]
        return kwargs


BUDGET_ROWS = 5
MILESTONE_ROWS = 4
LINE_FIELDS = ("category", "label", "quantity", "unit", "rate", "scope")
MILESTONE_FIELDS = ("title", "due_on", "deliverable")


class ProposalForm(PortalForm):
    """The proposal with a few budget rows and milestone rows (empty rows are ignored):
    its total is the sum of the budget lines, computed by the service.

    A working group of several organisations answering a marché public (``members``)
    also declares its groupement, as the API's ``groupement_kind`` and
    ``member_shares``: conjoint or solidaire, and each member's share of the lot's price
    (one share field per member; ``proposal_submit`` checks that only the coordinator
    declares it and that the shares make the price)."""

    title = forms.CharField(label=_("Titre"), max_length=200)
    summary = forms.CharField(label=_("Résumé"), widget=forms.Textarea(attrs={"rows": 4}))
    deliverables = forms.CharField(label=_("Livrables"), widget=forms.Textarea(attrs={"rows": 3}))
    licence = forms.CharField(
        label=_("Licence"),
        max_length=64,
        help_text=_("Identifiant SPDX d'une licence ouverte, par exemple EUPL-1.2 ou ODbL-1.0."),
    )
    community = forms.CharField(
        label=_("Communauté"), widget=forms.Textarea(attrs={"rows": 3}), **OPTIONAL
    )
    governance = forms.CharField(
        label=_("Gouvernance"), widget=forms.Textarea(attrs={"rows": 3}), **OPTIONAL
    )
    coordination_justification = required_when(
        forms.CharField(
            label=_("Justification de la part de coordination et d'animation"),
            help_text=_(
                "Requise si la coordination et l'animation sortent de 10 % à 25 % du total."
            ),
            widget=forms.Textarea(attrs={"rows": 2}),
            **OPTIONAL,
        )
    )

    MAIN_FIELDS = (
        "title",
        "summary",
        "deliverables",
        "licence",
        "community",
        "governance",
        "coordination_justification",
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = add_groupement_fields(self, members)
        for i in range(BUDGET_ROWS):
            n = i + 1
            self.fields[f"line{i}_category"] = forms.ChoiceField(
                label=_("Ligne %(n)s : catégorie") % {"n": n},
                choices=[("", "—"), *BudgetCategory.choices],
                **OPTIONAL,
            )
            self.fields[f"line{i}_label"] = forms.CharField(
                label=_("Ligne %(n)s : libellé") % {"n": n}, max_length=200, **OPTIONAL
            )
            self.fields[f"line{i}_quantity"] = NumberField(
                label=_("Ligne %(n)s : quantité (jours ou heures)") % {"n": n},
                max_digits=10,
                decimal_places=2,
                **OPTIONAL,
            )
            self.fields[f"line{i}_unit"] = forms.ChoiceField(
                label=_("Ligne %(n)s : unité") % {"n": n},
                choices=BudgetUnit.choices,
                initial=BudgetUnit.DAY,
                **OPTIONAL,
            )
            self.fields[f"line{i}_rate"] = EurosField(
                label=_("Ligne %(n)s : tarif HT (€)") % {"n": n}, max_digits=10, **OPTIONAL
            )
            self.fields[f"line{i}_scope"] = forms.ChoiceField(
                label=_("Ligne %(n)s : périmètre") % {"n": n},
                choices=BudgetScope.choices,
                initial=BudgetScope.CONTRACT,
                help_text=_("Sous un marché public, seule la part hors marché est cofinancée."),
                **OPTIONAL,
            )
        for i in range(MILESTONE_ROWS):
            n = i + 1
            self.fields[f"milestone{i}_title"] = forms.CharField(
                label=_("Jalon %(n)s : intitulé") % {"n": n}, max_length=200, **OPTIONAL
            )
            self.fields[f"milestone{i}_due_on"] = forms.DateField(
                label=_("Jalon %(n)s : échéance") % {"n": n},
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                **OPTIONAL,
            )
            self.fields[f"milestone{i}_deliverable"] = forms.CharField(
                label=_("Jalon %(n)s : livrable") % {"n": n}, max_length=500, **OPTIONAL
            )

    @classmethod
    def initial_for(cls, proposal) -> dict:
        """The form pre-filled with a submitted proposal, to replace it."""
        initial = {name: getattr(proposal, name) for name in cls.MAIN_FIELDS}
        for i, line in enumerate(list(proposal.budget_lines.all())[:BUDGET_ROWS]):
            for name in LINE_FIELDS:
                initial[f"line{i}_{name}"] = getattr(line, name)
        for i, milestone in enumerate(list(proposal.milestones.all())[:MILESTONE_ROWS]):
            for name in MILESTONE_FIELDS:
                initial[f"milestone{i}_{name}"] = getattr(milestone, name)
        initial["groupement_kind"] = proposal.groupement_kind
        for share in proposal.member_shares.all():
            initial[f"share_{share.organisation_id}"] = share.amount
        return initial

    def main_fields(self):
        return [self[name] for name in self.MAIN_FIELDS]

    def budget_rows(self):
        return [[self[f"line{i}_{name}"] for name in LINE_FIELDS] for i in range(BUDGET_ROWS)]

    def milestone_rows(self):
        return [
            [self[f"milestone{i}_{name}"] for name in MILESTONE_FIELDS]
            for i in range(MILESTONE_ROWS)
        ]

    def groupement_kind_field(self):
        return self["groupement_kind"] if self.members else None

    def share_fields(self):
        return [self[f"share_{organisation.pk}"] for organisation in self.members]

    def field_for_error(self, path: tuple[str, ...]) -> str | None:
        if path and path[0] == "member_shares" and self.members:
            return f"share_{self.members[0].pk}"
        return super().field_for_error(path)

    def clean(self):
        data = super().clean()
        required = _("Complétez cette ligne ou videz-la.")
        for i in range(BUDGET_ROWS):
            values = {name: data.get(f"line{i}_{name}") for name in LINE_FIELDS}
            if any(
                values[name] not in (None, "") for name in ("category", "label", "quantity", "rate")
            ):
                for name in ("category", "label", "quantity", "rate"):
                    if values[name] in (None, "") and f"line{i}_{name}" not in self.errors:
                        self.add_error(f"line{i}_{name}", required)
        for i in range(MILESTONE_ROWS):
            values = {name: data.get(f"milestone{i}_{name}") for name in MILESTONE_FIELDS}
            if any(values.values()):
                for name in ("title", "due_on"):
                    if not values[name] and f"milestone{i}_{name}" not in self.errors:
                        self.add_error(f"milestone{i}_{name}", required)
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {name: data[name] for name in self.MAIN_FIELDS}
        kwargs["budget_lines"] = [
            {name: data[f"line{i}_{name}"] for name in LINE_FIELDS}
            for i in range(BUDGET_ROWS)
            if data.get(f"line{i}_label")
        ]
        kwargs["milestones"] = [
            {name: data[f"milestone{i}_{name}"] for name in MILESTONE_FIELDS}
            for i in range(MILESTONE_ROWS)
            if data.get(f"milestone{i}_title")
        ]
        if self.members:
            kwargs.update(groupement_kwargs(self))
        return kwargs


def add_groupement_fields(form, members, *, required: bool = False) -> list:
    """The groupement's fields on ``form`` when ``members`` are several: its form
    (conjoint or solidaire) and one share of the lot's price per member. Returns the
    members the form asks about (none for a candidate alone)."""
    members = list(members) if len(members) > 1 else []
    if not members:
        return []
    choices = [(v, lbl) for v, lbl in GroupementKind.choices if v]
    form.fields["groupement_kind"] = forms.ChoiceField(
        label=_("Forme du groupement"),
        choices=choices if required else [("", _("Pas encore déclarée")), *choices],
        widget=forms.RadioSelect,
        help_text=_(
            "Conjoint : chaque membre s'engage pour sa part. Solidaire : chacun "
            "s'engage pour la totalité du marché (articles R2142-19 à R2142-27)."
        ),
        **({} if required else OPTIONAL),
    )
    for organisation in members:
        form.fields[f"share_{organisation.pk}"] = EurosField(
            label=_("Part de « %(name)s » dans le prix HT (€)") % {"name": organisation.name},
            **({} if required else OPTIONAL),
        )
    return members


def groupement_kwargs(form) -> dict:
    """The groupement's fields as the services take them (``groupement_kind``,
    ``member_shares``)."""
    data = form.cleaned_data
    return {
        "groupement_kind": data.get("groupement_kind") or GroupementKind.NONE,
        "member_shares": [
            {"organisation": organisation, "amount": data[f"share_{organisation.pk}"]}
            for organisation in form.members
            if data.get(f"share_{organisation.pk}") is not None
        ],
    }


class GroupementForm(PortalForm):
    """The mise au point of a retained groupement (article R2152-13): its form and each
    member's share of the lot's price, settled by the coordinator before the signature
    (``proposal_groupement_settle``)."""

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = add_groupement_fields(self, members, required=True)

    @classmethod
    def initial_for(cls, proposal) -> dict:
        initial = {"groupement_kind": proposal.groupement_kind}
        for share in proposal.member_shares.all():
            initial[f"share_{share.organisation_id}"] = share.amount
        return initial

    def field_for_error(self, path: tuple[str, ...]) -> str | None:
        if path and path[0] == "member_shares" and self.members:
            return f"share_{self.members[0].pk}"
        return super().field_for_error(path)

    def service_kwargs(self) -> dict:
        return groupement_kwargs(self)


class AttachmentForm(PortalForm):
    file = forms.FileField(
        label=_("Pièce jointe"),
        help_text=_("PDF, ODT ou DOCX, 20 Mo au plus."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.odt,.docx"}),
    )

    def service_kwargs(self) -> dict:
        upload = self.cleaned_data["file"]
        # One byte more than allowed: the service's checker then refuses it as too large.
        return {"content": upload.read(MAX_UPLOAD_BYTES + 1), "name": upload.name}


class AllocationForm(PortalForm):
    funder = OrganisationChoiceField(label=_("Financeur"))
    amount = EurosField(label=_("Enveloppe (€)"))

    def __init__(self, data=None, *, funders, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["funder"].queryset = funders


class BucketChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.proposal.title


class PledgeForm(PortalForm):
    bucket = BucketChoiceField(label=_("Commun à cofinancer"), queryset=None, empty_label=None)
    funder = OrganisationChoiceField(label=_("Financeur"))
    amount = EurosField(label=_("Montant engagé (€)"))

    def __init__(self, data=None, *, funders, buckets, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["funder"].queryset = funders
        self.fields["bucket"].queryset = buckets


class ChallengeFilterForm(PortalForm):
    """The list of calls: words, a stage, a buyer."""

    q = forms.CharField(label=_("Rechercher"), max_length=100, **OPTIONAL)
    stage = forms.ChoiceField(
        label=_("Étape"),
        choices=[
            ("", _("Toutes les étapes")),
            ("open", _("Ouverts aux positionnements ou aux propositions")),
            ("evaluation", _("En évaluation ou en sélection")),
            ("cofunding", _("En cofinancement")),
            ("award", _("En attribution")),
            ("awarded", _("Attribués")),
            ("closed", _("Infructueux ou annulés")),
            ("draft", _("En préparation (vos brouillons)")),
        ],
        widget=Select,
        **OPTIONAL,
    )
    buyer = forms.ChoiceField(label=_("Acheteur"), widget=Select, **OPTIONAL)

    def __init__(self, data=None, *, buyers, **kwargs):
        """``buyers``: ``(id, name)`` pairs (``portal.queries.call_buyers``)."""
        super().__init__(data, **kwargs)
        self.fields["buyer"].choices = [
            ("", _("Tous les acheteurs")),
            *[(str(pk), name) for pk, name in buyers],
        ]


class CommonsFilterForm(PortalForm):
    q = forms.CharField(label=_("Rechercher"), max_length=100, **OPTIONAL)
    category = forms.ChoiceField(
        label=_("Catégorie"),
        choices=[("", _("Toutes les catégories")), *CommonsCategory.choices],
        **OPTIONAL,
    )
    licence = forms.ChoiceField(label=_("Licence"), **OPTIONAL)
    referenced = forms.ChoiceField(
        label=_("Référencement"),
        choices=[
            ("", _("Tous les communs")),
            ("1", _("Référencés par la Chambre")),
            ("0", _("Non référencés")),
        ],
        **OPTIONAL,
    )

    def __init__(self, data=None, *, licences, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["licence"].choices = [
            ("", _("Toutes les licences")),
            *[(lic, lic) for lic in licences],
        ]
