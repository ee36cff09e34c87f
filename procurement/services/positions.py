"""Partners' positions on the resources of a published challenge, and working groups."""

from django.db import transaction
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, Forbidden, WrongState
from kernel.guards import require_before, require_status, validated_save
from procurement.models import (
    ChallengeResource,
    ChallengeStatus,
    Contribution,
    ContributionKind,
    OrganisationKind,
    Position,
    WorkingGroup,
    WorkingGroupMember,
)
from procurement.models.positions import GROUP_INTENTS
from procurement.queries import org_ids
from procurement.services.audit import audit_record
from procurement.services.common import require_member
from procurement.services.community.facilitation import facilitation_neutrality_check
from procurement.services.stages import challenge_stage_move


def _check_open(challenge) -> None:
    require_status(
        challenge, ChallengeStatus.POSITIONING, message=_("Les positionnements sont fermés.")
    )
    require_before(
        challenge.positioning_deadline,
        message=_("La date limite des positionnements est passée."),
    )


FIELDS_OF_KIND = {
    ContributionKind.SKILLS: ("days", "profile"),
    ContributionKind.TECHNICAL_MEANS: ("description",),
    ContributionKind.MONEY: ("amount",),
}


def contribution_errors(item: dict) -> dict[str, list[str]]:
    kind = item.get("kind")
    if kind not in ContributionKind.values:
        return {"kind": [_("Choisissez compétences, moyens techniques ou apport financier.")]}
    errors: dict[str, list[str]] = {}
    if kind == ContributionKind.SKILLS:
        days = item.get("days")
        if days is None or days <= 0:
            errors["days"] = [_("Indiquez un nombre de jours-personne supérieur à zéro.")]
    elif kind == ContributionKind.TECHNICAL_MEANS:
        if not (item.get("description") or "").strip():
            errors["description"] = [_("Décrivez les moyens techniques apportés.")]
    else:
        amount = item.get("amount")
        if amount is None or amount <= 0:
            errors["amount"] = [_("Indiquez un montant en euros supérieur à zéro.")]
    for name in ("days", "profile", "description", "amount"):
        if name not in FIELDS_OF_KIND[kind] and item.get(name) not in (None, ""):
            errors[name] = [_("Ce champ ne concerne pas ce type de contribution.")]
    return errors


def _contributions(items: list[dict]) -> list[Contribution]:
    """Unsaved, validated contributions; the refusal names each wrong field."""
    if not items:
        raise ApplicationError(
            _("Un positionnement apporte des compétences, des moyens ou un financement."),
            code="empty_position",
            extra={"fields": {"contributions": [_("Indiquez au moins une contribution.")]}},
        )
    # Keyed by the contribution's index, as DRF's list serializers say it.
    errors = {str(i): e for i, item in enumerate(items) if (e := contribution_errors(item))}
    if errors:
        raise ApplicationError(
            _("Certaines contributions ne sont pas valables."),
            code="invalid_contribution",
            extra={"fields": {"contributions": errors}},
        )
    rows = []
    for item in items:
        kind = item["kind"]
        rows.append(
            Contribution(
                kind=kind,
                days=item.get("days") if kind == ContributionKind.SKILLS else None,
                profile=(item.get("profile") or "").strip()
                if kind == ContributionKind.SKILLS
                else "",
                description=(item.get("description") or "").strip(),
                amount=item.get("amount") if kind == ContributionKind.MONEY else None,
            )
        )
    return rows


def _save_contributions(position: Position, rows: list[Contribution]) -> None:
    for row in rows:
        row.position = position
        row.full_clean()
    Contribution.objects.bulk_create(rows)


def _describe(rows) -> list[dict]:
    return [
        {
            "kind": r.kind,
            "days": str(r.days) if r.days is not None else None,
            "amount": str(r.amount) if r.amount is not None else None,
        }
        for r in rows
    ]


@transaction.atomic
def position_create(
    *,
    actor,
    resource,
    organisation,
    intent: str,
    contributions: list[dict],
    public_name: bool = False,
) -> Position:
    """A partner positions on one resource with one or more contributions, until the
    positioning deadline. Positioned to produce or contribute, it becomes a candidate:
    if the call's facilitator belongs to it, the facilitation is flagged and suspended
    (``facilitation_neutrality_check``)."""
    challenge = resource.challenge
    require_member(actor, organisation, message=_("Vous n'êtes pas membre de cette organisation."))
    if organisation.kind != OrganisationKind.PARTNER:
        raise Forbidden(_("Seul un partenaire peut se positionner."), code="not_a_partner")
    _check_open(challenge)
    # The same organisation's clicks at once on one resource: the resource is locked, so
    # the second sees the first one's position and is refused for it (409, not a 500).
    ChallengeResource.objects.select_for_update().filter(pk=resource.pk).values_list("pk").first()
    already = _(
        "Cette organisation est déjà positionnée sur cette ressource : "
        "retirez ou modifiez son positionnement."
    )
    if Position.objects.filter(resource=resource, organisation=organisation).exists():
        raise WrongState(already, code="already_positioned")
    rows = _contributions(contributions)
    position = Position(
        resource=resource, organisation=organisation, intent=intent, public_name=public_name
    )
    validated_save(position)
    _save_contributions(position, rows)
    if intent in GROUP_INTENTS:
        facilitation_neutrality_check(challenge=challenge, organisation=organisation, actor=actor)
    audit_record(
        verb="position.created",
        actor=actor,
        challenge=challenge,
        obj=position,
        data={
            "resource": resource.pk,
            "organisation": organisation.pk,
            "intent": intent,
            "contributions": _describe(rows),
        },
    )
    return position


@transaction.atomic
def position_update(
    *,
    actor,
    position: Position,
    intent: str | None = None,
    contributions: list[dict] | None = None,
    public_name: bool | None = None,
) -> Position:
    """A partner changes its position until the positioning deadline; its contributions,
    when given, replace the former ones as a whole."""
    challenge = position.resource.challenge
    require_member(
        actor, position.organisation, message=_("Vous n'êtes pas membre de cette organisation.")
    )
    _check_open(challenge)
    position = Position.objects.select_for_update().get(pk=position.pk)
    rows = _contributions(contributions) if contributions is not None else None
    if intent is not None:
        position.intent = intent
    if public_name is not None:
        position.public_name = public_name
    validated_save(position)
    if rows is not None:
        position.contributions.all().delete()
        _save_contributions(position, rows)
    if position.intent in GROUP_INTENTS:
        facilitation_neutrality_check(
            challenge=challenge, organisation=position.organisation, actor=actor
        )
    audit_record(
        verb="position.updated",
        actor=actor,
        challenge=challenge,
        obj=position,
        data={
            "resource": position.resource_id,
            "organisation": position.organisation_id,
            "intent": position.intent,
            "public_name": position.public_name,
            "contributions": _describe(position.contributions.all()),
        },
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
    challenge_stage_move(challenge=challenge, to=ChallengeStatus.PROPOSALS)
    audit_record(
        verb="positioning.closed",
        challenge=challenge,
        data={"groups": {g.resource_id: g.members.count() for g in groups}},
    )
    return groups


@transaction.atomic
def working_group_designate_coordinator(
    *, actor, group: WorkingGroup, organisation
) -> WorkingGroup:
    """The group's members designate one of them as coordinator."""
    if not group.members.filter(organisation__in=org_ids(actor)).exists():
        raise Forbidden(
            _("Seuls les membres du groupe désignent son coordinateur."), code="not_allowed"
        )
    if organisation is None or not group.members.filter(organisation=organisation).exists():
        raise ApplicationError(
            _("Le coordinateur doit être membre du groupe."),
            code="not_a_member",
            extra={"fields": {"organisation": [_("Choisissez une organisation du groupe.")]}},
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
