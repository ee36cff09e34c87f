"""Partners' positions on the resources of a published challenge, and working groups."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from procurement.errors import ApplicationError, Forbidden, WrongState
from procurement.models import (
    ChallengeStatus,
    OrganisationKind,
    Position,
    WorkingGroup,
    WorkingGroupMember,
)
from procurement.models.positions import GROUP_INTENTS
from procurement.queries import org_ids
from procurement.services.audit import audit_record
from procurement.services.common import (
    require_before,
    require_member,
    require_status,
    validated_save,
)


def _check_open(challenge) -> None:
    require_status(
        challenge, ChallengeStatus.POSITIONING, message=_("Les positionnements sont fermés.")
    )
    require_before(
        challenge.positioning_deadline,
        message=_("La date limite des positionnements est passée."),
    )


@transaction.atomic
def position_create(
    *,
    actor,
    resource,
    organisation,
    intent: str,
    skills_days: Decimal = Decimal(0),
    skills_profile: str = "",
    technical_means: str = "",
    money: Decimal = Decimal(0),
    public_name: bool = False,
) -> Position:
    """A partner positions on one resource, until the positioning deadline."""
    challenge = resource.challenge
    require_member(actor, organisation, message=_("Vous n'êtes pas membre de cette organisation."))
    if organisation.kind != OrganisationKind.PARTNER:
        raise Forbidden(_("Seul un partenaire peut se positionner."), code="not_a_partner")
    _check_open(challenge)
    if Position.objects.filter(resource=resource, organisation=organisation).exists():
        raise WrongState(
            _(
                "Cette organisation est déjà positionnée sur cette ressource : "
                "retirez ou modifiez son positionnement."
            ),
            code="already_positioned",
        )
    if not (skills_days or technical_means.strip() or money):
        raise ApplicationError(
            _("Un positionnement apporte des compétences, des moyens ou un financement."),
            code="empty_position",
            extra={"fields": {"skills_days": [_("Indiquez au moins une contribution.")]}},
        )
    position = Position(
        resource=resource,
        organisation=organisation,
        intent=intent,
        skills_days=skills_days,
        skills_profile=skills_profile,
        technical_means=technical_means,
        money=money,
        public_name=public_name,
    )
    validated_save(position)
    audit_record(
        verb="position.created",
        actor=actor,
        challenge=challenge,
        obj=position,
        data={"resource": resource.pk, "organisation": organisation.pk, "intent": intent},
    )
    return position


@transaction.atomic
def position_withdraw(*, actor, position: Position) -> None:
    challenge = position.resource.challenge
    require_member(
        actor, position.organisation, message=_("Vous n'êtes pas membre de cette organisation.")
    )
    _check_open(challenge)
    audit_record(
        verb="position.withdrawn",
        actor=actor,
        challenge=challenge,
        obj=position,
        data={"resource": position.resource_id, "organisation": position.organisation_id},
    )
    position.delete()


@transaction.atomic
def positioning_close(*, challenge) -> list[WorkingGroup]:
    """At the positioning deadline: one working group per resource, made of the
    organisations positioned to produce or contribute; proposals open."""
    require_status(
        challenge, ChallengeStatus.POSITIONING, message=_("Les positionnements sont déjà clos.")
    )
    groups = []
    for resource in challenge.resources.all():
        group, _created = WorkingGroup.objects.get_or_create(resource=resource)
        org_ids = resource.positions.filter(intent__in=GROUP_INTENTS).values_list(
            "organisation_id", flat=True
        )
        WorkingGroupMember.objects.bulk_create(
            [WorkingGroupMember(group=group, organisation_id=o) for o in org_ids],
            ignore_conflicts=True,
        )
        first_producer = (
            resource.positions.filter(intent="produce").order_by("created_at", "id").first()
        )
        if group.coordinator_id is None and first_producer is not None:
            group.coordinator_id = first_producer.organisation_id
            group.save(update_fields=["coordinator"])
        groups.append(group)
    challenge.status = ChallengeStatus.PROPOSALS
    challenge.save(update_fields=["status", "updated_at"])
    audit_record(
        verb="positioning.closed",
        challenge=challenge,
        data={"groups": {g.resource_id: g.members.count() for g in groups}},
    )
    return groups


@transaction.atomic
def working_group_set_coordinator(*, actor, group: WorkingGroup, organisation) -> WorkingGroup:
    """The group's members designate one of them as coordinator."""
    if not group.members.filter(organisation__in=org_ids(actor)).exists():
        raise Forbidden(
            _("Seuls les membres du groupe désignent son coordinateur."), code="not_allowed"
        )
    if not group.members.filter(organisation=organisation).exists():
        raise ApplicationError(
            _("Le coordinateur doit être membre du groupe."),
            code="not_a_member",
            extra={"fields": {"coordinator": [_("Choisissez une organisation du groupe.")]}},
        )
    group.coordinator = organisation
    group.save(update_fields=["coordinator"])
    audit_record(
        verb="working_group.coordinator",
        actor=actor,
        challenge=group.resource.challenge,
        obj=group,
        data={"coordinator": organisation.pk},
    )
    return group
