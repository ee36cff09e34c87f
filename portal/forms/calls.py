"""The buyer's call editor: a new call, then its draft — text, lots and resources,
licences, grid, estimate and planned dates — saved by ``workflows.operations.call_draft_save``.

The lots, the resources and the criteria are three formsets beside the call's own form
(``CallEditor`` holds the four): each row of a formset is a lot, a resource naming its
lot's number, or a criterion. The service validates again whatever the forms let through.
"""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms.base import DeadlineField, EurosField, NumberField, PortalForm, required_when
from procurement.models import Organisation
from procurement.models import OrganisationKind as Kind
from procurement.models.challenges import AggregationMethod, ContractNature, Framing
from procurement.services.award_rules import AWARD_METHODS
from procurement.validators import OPEN_LICENCES, RECIPROCITY_LICENCES
from scoring.models import COMMONS_KINDS, CollectiveVote, CriterionKind, Grade, ScaleKind
from scoring.services.grids import SOCIAL_CRITERION_CODE, social_criterion

OPTIONAL = {"required": False}
LICENCES = sorted(OPEN_LICENCES | RECIPROCITY_LICENCES, key=str.lower)


class NewCallForm(PortalForm):
    """What a new call needs before its draft exists: who buys, which Chambre gives its
    opinion, a title, its context and a first resource (a call asks for at least one)."""

    buyer = forms.ModelChoiceField(label=_("Acheteur"), queryset=None, empty_label=None)
    chambre = forms.ModelChoiceField(
        label=_("Chambre des communs consultée"), queryset=None, empty_label=None
    )
    title = forms.CharField(label=_("Titre de l'appel"), max_length=200)
    context = forms.CharField(
        label=_("Contexte et objet"),
        help_text=_("Ce que le territoire cherche à produire en communs, et pourquoi."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    resource = forms.CharField(
        label=_("Première ressource attendue"),
        help_text=_("Vous ajouterez les autres ressources et les lots dans l'éditeur."),
        max_length=200,
    )

    def __init__(self, data=None, *, buyers, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["buyer"].queryset = buyers
        self.fields["chambre"].queryset = Organisation.objects.filter(kind=Kind.CHAMBRE).order_by(
            "name"
        )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "buyer": data["buyer"],
            "chambre": data["chambre"],
            "title": data["title"],
            "context": data["context"],
            "resources": [{"title": data["resource"]}],
        }


# The call form's fields that are not the call's own.
NOT_STORED = ("social_criterion_weight",)


class CallForm(PortalForm):
    """The call's own fields."""

    title = forms.CharField(label=_("Titre de l'appel"), max_length=200)
    context = forms.CharField(
        label=_("Contexte et objet"), widget=forms.Textarea(attrs={"rows": 8})
    )
    estimated_amount = EurosField(
        label=_("Montant estimé HT (€)"),
        help_text=_(
            "Il détermine la procédure et ses délais minimaux (seuils du code de la commande "
            "publique). Requis pour saisir la Chambre."
        ),
        **OPTIONAL,
    )
    contract_nature = forms.ChoiceField(label=_("Nature du marché"), choices=ContractNature.choices)
    framing = forms.ChoiceField(label=_("Cadre juridique"), choices=Framing.choices)
    contract_duration_months = forms.IntegerField(
        label=_("Durée du marché (mois)"), min_value=1, max_value=120
    )
    fair_rate_min = EurosField(
        label=_("Juste rémunération : taux horaire minimal HT (€)"),
        help_text=_(
            "Une ligne de contribution payée moins que ce taux de l'heure est signalée à "
            "l'acheteur et aux évaluateurs (30 € par défaut)."
        ),
        max_digits=8,
        min_value=Decimal("0.01"),
    )
    fair_rate_max = EurosField(
        label=_("Juste rémunération : taux horaire maximal HT (€)"),
        help_text=_("Au-delà, la ligne est signalée aussi (45 € par défaut)."),
        max_digits=8,
        min_value=Decimal("0.01"),
    )
    exploration_planned = forms.BooleanField(
        label=_("Phase d'exploration avant le cofinancement"),
        help_text=_(
            "Chaque équipe retenue explore d'abord son commun avec un petit budget ; à la fin, "
            "vous dites lesquels ont fait leurs preuves : seuls ceux-là sont cofinancés."
        ),
        **OPTIONAL,
    )
    exploration_budget = required_when(
        EurosField(
            label=_("Budget d'exploration par équipe (€)"),
            help_text=_(
                "Requis avec une phase d'exploration : de 1 000 € à 3 000 €, bornes comprises "
                "(pratique de la Métropole européenne de Lille)."
            ),
            max_digits=8,
            **OPTIONAL,
        )
    )
    exploration_end = required_when(
        DeadlineField(
            label=_("Fin de l'exploration"),
            help_text=_(
                "Requise avec une phase d'exploration, après la date limite des propositions. "
                "Date et heure de Paris."
            ),
            **OPTIONAL,
        )
    )
    aggregation_method = forms.ChoiceField(
        label=_("Méthode d'agrégation des notes"),
        choices=[(m, AggregationMethod(m).label) for m in AWARD_METHODS],
    )
    multi_lot_proposals = forms.BooleanField(
        label=_("Une proposition peut répondre à plusieurs lots"), **OPTIONAL
    )
    single_lot_reason = forms.CharField(
        label=_("Motif de l'absence d'allotissement"),
        help_text=_(
            "Si un lot regroupe plusieurs ressources, dites pourquoi (articles L2113-10 et "
            "L2113-11 du code de la commande publique)."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        **OPTIONAL,
    )
    # Not a field of the call: the social and solidarity criterion's template, added to
    # the grid at this weight when the grid has none (``scoring.services.grids``).
    social_criterion_weight = NumberField(
        label=_("Ajouter le critère social et solidaire (poids en %)"),
        help_text=_(
            "Insertion professionnelle, conditions de production et rémunération équitable "
            "(article R2152-7, 2° a) du code de la commande publique), notés sur les "
            "engagements d'exécution de la proposition (articles L2152-7 et L2112-2), non "
            "sur le statut du candidat. Ajouté une fois à la grille, avec sa description "
            "et ses niveaux ; ajustez ensuite les autres poids pour totaliser 100 %."
        ),
        min_value=Decimal("0.01"),
        max_value=100,
        max_digits=5,
        decimal_places=2,
        **OPTIONAL,
    )
    planned_positioning_deadline = DeadlineField(
        label=_("Fin des positionnements prévue"), **OPTIONAL
    )
    planned_proposal_deadline = DeadlineField(
        label=_("Date limite des propositions prévue"), **OPTIONAL
    )

    @classmethod
    def initial_from(cls, challenge) -> dict:
        initial = {
            name: getattr(challenge, name) for name in cls.base_fields if name not in NOT_STORED
        }
        for name in (
            "planned_positioning_deadline",
            "planned_proposal_deadline",
            "exploration_end",
        ):
            if initial[name] is not None:
                initial[name] = timezone.localtime(initial[name])
        return initial


class VotePlanForm(PortalForm):
    """The collective vote the call plans (``scoring.services.votes.vote_plan_set``): its
    funders and contributors choose by majority judgment which selected commons the
    cofunding round opens to."""

    planned = forms.BooleanField(
        label=_("Prévoir un vote collectif sur les communs à cofinancer"),
        help_text=_(
            "Après l'avis de la Chambre sur la sélection, les financeurs et les contributeurs "
            "donnent une mention à chaque commun sélectionné (jugement majoritaire) ; seuls "
            "les communs retenus sont ouverts au cofinancement."
        ),
        **OPTIONAL,
    )
    days = forms.IntegerField(
        label=_("Durée du vote (jours)"), min_value=1, max_value=60, initial=7, **OPTIONAL
    )
    planned_end = DeadlineField(
        label=_("Ou fin du vote prévue"),
        help_text=_("Date et heure de Paris ; elle l'emporte sur la durée si elle est à venir."),
        **OPTIONAL,
    )
    min_grade = forms.ChoiceField(
        label=_("Mention majoritaire minimale d'un commun retenu"),
        choices=[(str(grade.value), grade.label) for grade in sorted(Grade, reverse=True)],
        initial=str(Grade.BIEN.value),
        **OPTIONAL,
    )
    max_retained = forms.IntegerField(
        label=_("Nombre maximal de communs retenus"),
        help_text=_("Les mieux jugés ; laissez vide pour ne pas plafonner."),
        min_value=1,
        **OPTIONAL,
    )

    @staticmethod
    def initial_from(challenge) -> dict:
        vote = CollectiveVote.objects.filter(challenge_id=challenge.pk).first()
        if vote is None:
            return {"planned": False, "days": 7, "min_grade": str(Grade.BIEN.value)}
        return {
            "planned": True,
            "days": vote.days,
            "planned_end": timezone.localtime(vote.planned_end) if vote.planned_end else None,
            "min_grade": str(vote.min_grade),
            "max_retained": vote.max_retained,
        }

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        if not data.get("planned"):
            return {"planned": False}
        return {
            "planned": True,
            "days": data.get("days") or 7,
            "planned_end": data.get("planned_end"),
            "min_grade": int(data.get("min_grade") or Grade.BIEN),
            "max_retained": data.get("max_retained"),
        }


class LotForm(forms.Form):
    title = forms.CharField(label=_("Intitulé du lot"), max_length=200, **OPTIONAL)
    estimated_amount = EurosField(label=_("Estimation du lot HT (€)"), **OPTIONAL)
    reserved_ess = forms.BooleanField(
        label=_("Réservé aux structures de l'ESS"),
        help_text=_("Article L2113-15 : services de santé, sociaux ou culturels."),
        **OPTIONAL,
    )
    reserved_disability = forms.BooleanField(
        label=_("Réservé aux entreprises adaptées et ESAT"),
        help_text=_("Article L2113-12 : au moins 50 % de travailleurs handicapés."),
        **OPTIONAL,
    )
    reserved_insertion = forms.BooleanField(
        label=_("Réservé aux structures d'insertion (SIAE)"),
        help_text=_("Article L2113-13 : au moins 50 % de travailleurs défavorisés."),
        **OPTIONAL,
    )


class ResourceForm(forms.Form):
    title = forms.CharField(label=_("Ressource attendue"), max_length=200, **OPTIONAL)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), **OPTIONAL
    )
    expected_licence = forms.CharField(
        label=_("Licence attendue"),
        help_text=_("Identifiant SPDX (EUPL-1.2, ODbL-1.0…) ou licence à réciprocité."),
        max_length=64,
        widget=forms.TextInput(attrs={"list": "licences"}),
        **OPTIONAL,
    )
    lot = forms.IntegerField(label=_("N° du lot"), min_value=1, max_value=99, **OPTIONAL)

    def clean_expected_licence(self):
        value = self.cleaned_data["expected_licence"].strip()
        if value and value not in OPEN_LICENCES and value not in RECIPROCITY_LICENCES:
            raise forms.ValidationError(
                _("Licence inconnue : choisissez un identifiant de la liste proposée.")
            )
        return value


class CriterionForm(forms.Form):
    label = forms.CharField(label=_("Critère"), max_length=200, **OPTIONAL)
    code = forms.SlugField(
        label=_("Code"), max_length=40, help_text=_("Lettres, chiffres et tirets."), **OPTIONAL
    )
    kind = forms.ChoiceField(label=_("Nature"), choices=CriterionKind.choices)
    weight = NumberField(
        label=_("Poids (%)"), max_value=100, max_digits=5, decimal_places=2, **OPTIONAL
    )
    scale = forms.ChoiceField(
        label=_("Échelle"),
        choices=[c for c in ScaleKind.choices if c[0] != ScaleKind.PRICE_FORMULA],
        help_text=_("Le prix est toujours noté par la formule publiée."),
    )


def _formset(form):
    """Rows of ``form``, one blank row more to add one; each row may be deleted."""
    return forms.formset_factory(form, extra=1, can_delete=True, max_num=50, absolute_max=60)


LotFormSet = _formset(LotForm)
ResourceFormSet = _formset(ResourceForm)
CriterionFormSet = _formset(CriterionForm)


def _filled(form) -> bool:
    """A row the buyer wrote in and did not delete (the blank extra row is ignored)."""
    data = getattr(form, "cleaned_data", None) or {}
    if data.get("DELETE"):
        return False
    return any(value not in (None, "", False) for name, value in data.items() if name != "DELETE")


class CallEditor:
    """The call's form and its three formsets, bound together, read as the service's
    arguments once all are valid."""

    def __init__(self, data=None, *, challenge, criteria):
        self.challenge = challenge
        lots = list(challenge.lots.order_by("number").prefetch_related("resources__commons"))
        resources = [
            {
                "title": r.title,
                "description": r.description,
                "expected_licence": r.expected_licence,
                "lot": lot.number,
            }
            for lot in lots
            for r in sorted(lot.resources.all(), key=lambda r: r.order)
        ]
        # A bound formset compares its extra rows with their initial values and skips the
        # unchanged ones: the rows the page posts are read as they are, never against
        # what an autosave has stored since the page was drawn.
        bound = data is not None
        self.call = CallForm(data, initial=CallForm.initial_from(challenge), prefix="call")
        # A post without the vote's fields (a client of an older page) leaves the plan as is.
        self.vote_posted = data is None or any(key.startswith("vote-") for key in data)
        self.vote = VotePlanForm(
            data if self.vote_posted else None,
            initial=VotePlanForm.initial_from(challenge),
            prefix="vote",
        )
        self.lots = LotFormSet(
            data,
            prefix="lots",
            initial=None
            if bound
            else [
                {
                    "title": lot.title,
                    "estimated_amount": lot.estimated_amount,
                    "reserved_ess": lot.reserved_ess,
                    "reserved_disability": lot.reserved_disability,
                    "reserved_insertion": lot.reserved_insertion,
                }
                for lot in lots
            ],
        )
        self.resources = ResourceFormSet(
            data, prefix="resources", initial=None if bound else resources
        )
        self.criteria = CriterionFormSet(
            data,
            prefix="criteria",
            initial=None
            if bound
            else [
                {
                    "label": c.label,
                    "code": c.code,
                    "kind": c.kind,
                    "weight": c.weight,
                    "scale": c.scale if c.scale != ScaleKind.PRICE_FORMULA else ScaleKind.ZERO_TEN,
                }
                for c in criteria
            ],
        )
        # What the editor does not show is kept as it was: a criterion's description,
        # threshold and levels (by its code), a resource's catalogue commons (by title).
        self._levels = {c.code: c.levels for c in criteria}
        self._descriptions = {c.code: c.description for c in criteria}
        self._thresholds = {c.code: c.threshold for c in criteria}
        self._commons = {
            r.title: r.commons for lot in lots for r in lot.resources.all() if r.commons_id
        }

    @property
    def parts(self):
        vote = [self.vote] if self.vote_posted else []
        return [self.call, *vote, self.lots, self.resources, self.criteria]

    def is_valid(self) -> bool:
        valid = all([part.is_valid() for part in self.parts])
        self._check_rows()
        return valid and not self.errors()

    def _check_rows(self) -> None:
        for form in self.resources.forms:
            if _filled(form) and not (getattr(form, "cleaned_data", None) or {}).get("title"):
                form.add_error("title", _("Nommez la ressource, ou supprimez la ligne."))
        for form in self.criteria.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not _filled(form) or (
                # the blank row keeps its defaults (kind, scale): nothing to save
                not data.get("label") and not data.get("code") and data.get("weight") is None
            ):
                continue
            for name, message in (
                ("label", _("Nommez le critère.")),
                ("code", _("Donnez un code au critère (lettres, chiffres, tirets).")),
                ("weight", _("Donnez le poids du critère.")),
            ):
                if data.get(name) in (None, ""):
                    form.add_error(name, message)

    def errors(self) -> list:
        found = list(self.call.errors.values()) + list(self.vote.errors.values())
        for formset in (self.lots, self.resources, self.criteria):
            found += [e for e in formset.errors if e] + list(formset.non_form_errors())
        return found

    def error_count(self) -> int:
        count = sum(len(v) for v in self.call.errors.values())
        count += sum(len(v) for v in self.vote.errors.values())
        for formset in (self.lots, self.resources, self.criteria):
            count += sum(len(v) for e in formset.errors for v in e.values())
            count += len(formset.non_form_errors())
        return count

    def _rows(self, formset) -> list[dict]:
        return [form.cleaned_data for form in formset.forms if _filled(form)]

    def service_kwargs(self) -> dict:
        fields = {
            name: value
            for name, value in self.call.cleaned_data.items()
            if name in CallForm.base_fields and name not in NOT_STORED
        }
        lots = [
            {
                "title": row["title"],
                "estimated_amount": row["estimated_amount"],
                "reserved_ess": row["reserved_ess"],
                "reserved_disability": row["reserved_disability"],
                "reserved_insertion": row["reserved_insertion"],
            }
            for row in self._rows(self.lots)
        ]
        resources = [
            {
                "title": row["title"],
                "description": row["description"],
                "expected_licence": row["expected_licence"],
                "lot": row["lot"] or (1 if len(lots) <= 1 else None),
                "commons": self._commons.get(row["title"]),
            }
            for row in self._rows(self.resources)
        ]
        if not lots:
            # no lot written: each resource is its own lot (the service's default)
            fields["resources"] = [{k: v for k, v in r.items() if k != "lot"} for r in resources]
        else:
            fields["resources"], fields["lots"] = resources, lots
        criteria = [
            {
                "code": row["code"],
                "label": row["label"],
                "kind": row["kind"],
                "weight": row["weight"],
                "scale": row["scale"],
                "description": self._descriptions.get(row["code"], ""),
                "threshold": self._thresholds.get(row["code"]),
                "levels": self._levels.get(row["code"])
                if row["kind"] != CriterionKind.PRICE
                else [],
            }
            for row in self._rows(self.criteria)
            if row.get("label") or row.get("code")
        ]
        weight = self.call.cleaned_data.get("social_criterion_weight")
        if weight and all(c["code"] != SOCIAL_CRITERION_CODE for c in criteria):
            criteria.append(social_criterion(weight))
        return {
            "fields": fields,
            "criteria": criteria,
            "vote": self.vote.service_kwargs() if self.vote_posted else None,
        }

    def totals(self) -> dict:
        """The grid's totals as the page shows them before any script runs."""
        rows = []
        for form in self.criteria.forms:
            if self.criteria.is_bound:
                data = getattr(form, "cleaned_data", None) or {}
                if data.get("DELETE"):
                    continue
                kind, weight = data.get("kind"), data.get("weight")
            else:
                kind, weight = form.initial.get("kind"), form.initial.get("weight")
            rows.append((kind, weight or Decimal(0)))
        return {
            "total": sum((w for _k, w in rows), Decimal(0)),
            "commons": sum((w for k, w in rows if k in COMMONS_KINDS), Decimal(0)),
            "price": sum((w for k, w in rows if k == CriterionKind.PRICE), Decimal(0)),
            "environment": sum((w for k, w in rows if k == CriterionKind.ENVIRONMENT), Decimal(0)),
        }

    # --- the service's refusal, put back on the row it names -----------------------------

    def add_refusal(self, pairs: list[tuple[tuple[str, ...], str]], message: str | None) -> None:
        for path, text in pairs:
            if not self._place(path, text):
                self.call.add_error(None, text)
        if message and message not in self.call.non_field_errors():
            self.call.add_error(None, message)

    def _place(self, path: tuple[str, ...], text: str) -> bool:
        if not path:
            return False
        head = path[0]
        if head.startswith("vote_") and head[5:] in self.vote.fields:
            self.vote.add_error(head[5:], text)
            return True
        if head in self.call.fields:
            self.call.add_error(head, text)
            return True
        if head == "criteria" and len(path) >= 2:
            for form in self.criteria.forms:
                if (getattr(form, "cleaned_data", None) or {}).get("code") == path[1]:
                    name = path[2] if len(path) > 2 and path[2] in form.fields else None
                    form.add_error(name if name else "code", text)
                    return True
        return False
