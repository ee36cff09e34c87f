"""The data each human step takes, and the one service it calls.

The same handlers serve the REST task API and the portal: a serializer validates
the data (400 with the field on error), then the step's service does the work.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kernel.fields import IdField
from procurement.models import OpinionSubject
from procurement.services import challenges as challenge_services
from procurement.services import opinions as opinion_services
from scoring import services as scoring_services


class DraftData(serializers.Serializer):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        label=_("Message à la Chambre"),
        help_text=_("Saisine de la Chambre des communs."),
    )


class OpinionData(serializers.Serializer):
    """The modérateur publishes the opinion the rapporteur submitted (drafted through
    the referral's endpoints); nothing else to give."""


class ReservationAnswer(serializers.Serializer):
    reservation = serializers.CharField(
        label=_("Réserve"), help_text=_("Son numéro (à partir de 1) ou son texte.")
    )
    accepted = serializers.BooleanField(label=_("Acceptée"))
    answer = serializers.CharField(allow_blank=True, default="", label=_("Réponse"))


class ReviseData(serializers.Serializer):
    resubmit = serializers.BooleanField(
        label=_("Saisir à nouveau la Chambre"),
        help_text=_("Vrai : nouvel avis sur l'appel révisé ; faux : passer à la publication."),
    )
    answers = ReservationAnswer(
        many=True, required=False, default=list, label=_("Réponses aux réserves")
    )


class PublishData(serializers.Serializer):
    positioning_deadline = serializers.DateTimeField(label=_("Fin des positionnements"))
    proposal_deadline = serializers.DateTimeField(label=_("Date limite des propositions"))
    questions_deadline = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        label=_("Fin des questions"),
        help_text=_("Facultative : sans elle, les questions sont ouvertes jusqu'aux propositions."),
    )


class ProposalEvaluators(serializers.Serializer):
    proposal = IdField(label=_("Proposition"))
    evaluators = serializers.ListField(
        child=IdField(),
        allow_empty=False,
        label=_("Évaluateurs"),
    )


class AssignData(serializers.Serializer):
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


class EvaluationItem(serializers.Serializer):
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


class ScoreData(serializers.Serializer):
    # Empty when every proposal was already scored through the evaluations endpoint.
    evaluations = EvaluationItem(many=True, allow_empty=True, label=_("Évaluations"))


class SelectData(serializers.Serializer):
    proposals = serializers.ListField(
        child=IdField(),
        allow_empty=False,
        label=_("Propositions retenues"),
    )
    cofunding_deadline = serializers.DateTimeField(label=_("Clôture du cofinancement"))
    justification = serializers.CharField(required=False, allow_blank=True, default="")


class AwardData(serializers.Serializer):
    proposals = serializers.ListField(
        child=IdField(),
        allow_empty=False,
        label=_("Propositions attributaires"),
    )


@dataclass(frozen=True)
class Handler:
    serializer_class: type[serializers.Serializer]
    call: Callable[..., Any]

    def validate(self, data) -> dict:
        serializer = self.serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def run(self, *, challenge, actor, task, data) -> None:
        self.call(challenge=challenge, actor=actor, task=task, **self.validate(data))


HANDLERS: dict[str, Handler] = {
    "draft": Handler(
        DraftData,
        lambda challenge, actor, task, note: challenge_services.challenge_submit_for_opinion(
            challenge=challenge, actor=actor, note=note
        ),
    ),
    "call_opinion": Handler(
        OpinionData,
        lambda challenge, actor, task: opinion_services.referral_publish(
            challenge=challenge, actor=actor, subject=OpinionSubject.CALL
        ),
    ),
    "revise": Handler(
        ReviseData,
        lambda challenge, actor, task, resubmit, answers: challenge_services.challenge_revise(
            challenge=challenge, actor=actor, resubmit=resubmit, answers=answers
        ),
    ),
    "publish": Handler(
        PublishData,
        lambda challenge, actor, task, **d: challenge_services.challenge_publish(
            challenge=challenge, actor=actor, **d
        ),
    ),
    "assign_evaluators": Handler(
        AssignData,
        lambda challenge, actor, task, evaluators=None, assignments=None: (
            scoring_services.evaluators_assign(
                challenge=challenge,
                actor=actor,
                evaluator_ids=evaluators,
                assignments=assignments,
            )
        ),
    ),
    "score": Handler(
        ScoreData,
        lambda challenge, actor, task, evaluations: scoring_services.scoring_submit_all(
            actor=actor, challenge=challenge, evaluations=evaluations
        ),
    ),
    "select": Handler(
        SelectData,
        lambda challenge, actor, task, proposals, **d: challenge_services.proposals_select(
            challenge=challenge, actor=actor, proposal_ids=proposals, **d
        ),
    ),
    "selection_opinion": Handler(
        OpinionData,
        lambda challenge, actor, task: opinion_services.referral_publish(
            challenge=challenge, actor=actor, subject=OpinionSubject.SELECTION
        ),
    ),
    "award": Handler(
        AwardData,
        lambda challenge, actor, task, proposals: challenge_services.challenge_award(
            challenge=challenge, actor=actor, proposal_ids=proposals
        ),
    ),
}


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
