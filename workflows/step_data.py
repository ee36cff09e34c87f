"""The data each human step takes, as DRF serializers: its node in ``workflows/flows.py``
names one of them (``Step(data=...)``). The REST task API describes it to clients
(``describe``) and validates a completion with it (400 with the field on error), and
the portal's form for the step hands its cleaned data to the same serializer.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kernel.fields import IdField
from kernel.serializers import Serializer


class DraftData(Serializer):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        label=_("Message à la Chambre"),
        help_text=_("Saisine de la Chambre des communs."),
    )


class OpinionData(Serializer):
    """The modérateur publishes the opinion the rapporteur submitted (drafted through
    the referral's endpoints); nothing else to give."""


class ReservationAnswer(Serializer):
    reservation = serializers.CharField(
        label=_("Réserve"), help_text=_("Son numéro (à partir de 1) ou son texte.")
    )
    accepted = serializers.BooleanField(label=_("Acceptée"))
    answer = serializers.CharField(allow_blank=True, default="", label=_("Réponse"))


class ReviseData(Serializer):
    resubmit = serializers.BooleanField(
        label=_("Saisir à nouveau la Chambre"),
        help_text=_("Vrai : nouvel avis sur l'appel révisé ; faux : passer à la publication."),
    )
    answers = ReservationAnswer(
        many=True, required=False, default=list, label=_("Réponses aux réserves")
    )


class PublishData(Serializer):
    positioning_deadline = serializers.DateTimeField(label=_("Fin des positionnements"))
    proposal_deadline = serializers.DateTimeField(label=_("Date limite des propositions"))
    questions_deadline = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        label=_("Fin des questions"),
        help_text=_("Facultative : sans elle, les questions sont ouvertes jusqu'aux propositions."),
    )


class ProposalEvaluators(Serializer):
    proposal = IdField(label=_("Proposition"))
    evaluators = serializers.ListField(
        child=IdField(),
        allow_empty=False,
        label=_("Évaluateurs"),
    )


class AssignData(Serializer):
    """Either ``evaluators`` (each scores every proposal) or ``assignments`` (per
    proposal, at least one evaluator on each)."""

    evaluators = serializers.ListField(
        child=IdField(),
        allow_empty=False,
        required=False,
        label=_("Évaluateurs"),
        help_text=_("Identifiants des évaluateurs de l'acheteur, pour toutes les propositions."),
    )
    assignments = ProposalEvaluators(
        many=True,
        allow_empty=False,
        required=False,
        label=_("Évaluateurs par proposition"),
        help_text=_("[{proposal: id, evaluators: [ids]}], au lieu de « evaluators »."),
    )

    def validate(self, data):
        if ("evaluators" in data) == ("assignments" in data):
            raise serializers.ValidationError(
                {"evaluators": [_("Donnez soit « evaluators », soit « assignments ».")]}
            )
        return data


class EvaluationItem(Serializer):
    proposal = serializers.IntegerField(min_value=1, label=_("Proposition"))
    conflict = serializers.BooleanField(default=False, label=_("Conflit d'intérêts"))
    conflict_note = serializers.CharField(required=False, allow_blank=True, default="")
    scores = serializers.DictField(
        child=serializers.CharField(max_length=20),
        required=False,
        default=dict,
        label=_("Notes par critère"),
        help_text=_("{code du critère: note ou mention}"),
    )
    comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        label=_("Commentaires par critère"),
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ScoreData(Serializer):
    # Empty when every proposal was already scored through the evaluations endpoint.
    evaluations = EvaluationItem(many=True, allow_empty=True, label=_("Évaluations"))


class SelectData(Serializer):
    proposals = serializers.ListField(
        child=IdField(),
        allow_empty=False,
        label=_("Propositions retenues"),
    )
    cofunding_deadline = serializers.DateTimeField(label=_("Clôture du cofinancement"))
    justification = serializers.CharField(required=False, allow_blank=True, default="")


class ExplorationDecision(Serializer):
    proposal = IdField(label=_("Proposition"))
    proven = serializers.BooleanField(
        label=_("A fait ses preuves"),
        help_text=_("Vrai : le commun est ouvert au cofinancement ; faux : il ne l'est pas."),
    )
    reason = serializers.CharField(max_length=5000, label=_("Motif"))


class ExplorationData(Serializer):
    """One decision per exploring proposal (seed 003: only a proven commons opens a
    cofunding call), each with its reason, kept in the audit trail."""

    decisions = ExplorationDecision(many=True, allow_empty=False, label=_("Décisions"))


class AwardData(Serializer):
    proposals = serializers.ListField(
        child=IdField(),
        allow_empty=False,
        label=_("Propositions attributaires"),
    )
    standstill = serializers.BooleanField(
        required=False,
        default=False,
        label=_("Observer un délai de suspension en procédure adaptée"),
        help_text=_(
            "En procédure formalisée, le délai de onze jours s'impose (article R2182-1) ; en "
            "procédure adaptée, vous pouvez l'observer aussi."
        ),
    )
    lot_reasons = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=5000),
        required=False,
        default=dict,
        label=_("Motifs de non-attribution par lot"),
        help_text=_(
            "{numéro du lot: motif} pour chaque lot que vous n'attribuez pas ; obligatoire "
            "pour un lot dont une proposition était retenue (article R2185-1)."
        ),
    )


class SignData(Serializer):
    """Signing takes no data: the award decided names the contracts to sign."""


def describe(serializer: serializers.Serializer) -> list[dict]:
    """A plain description of the fields a task's data takes (for clients and forms)."""
    fields = []
    for name, field in serializer.fields.items():
        item = {
            "name": name,
            "type": type(field).__name__.replace("Field", "").lower() or "object",
            "required": field.required,
            "label": str(field.label or name),
            "help_text": str(field.help_text or ""),
        }
        if isinstance(field, serializers.ChoiceField):
            item["choices"] = [{"value": k, "label": str(v)} for k, v in field.choices.items()]
        if isinstance(field, serializers.ListSerializer):
            item["type"] = "list"
            item["items"] = describe(field.child)
        elif isinstance(field, serializers.Serializer):
            item["type"] = "object"
            item["fields"] = describe(field)
        fields.append(item)
    return fields
