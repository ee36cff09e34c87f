"""Reciprocity: an organisation that earns money with a commons signs a commitment to give
part of it back, declares each period what it earned and gave, and may end it. Every
step is public on the commons' board (``queries.reciprocity_board``)."""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, Forbidden, WrongState
from procurement.calculations import share_of
from procurement.models import (
    Commons,
    Organisation,
    OrganisationKind,
    ReciprocityCommitment,
    ReciprocityDeclaration,
    ReciprocityKind,
    ReciprocityPeriod,
)
from procurement.models.reciprocity import period_end_of, period_start_of
from procurement.services.audit import audit_record
from procurement.services.common import require_member


def _invalid(code: str, message: str, fields: dict[str, str]) -> ApplicationError:
    return ApplicationError(
        message, code=code, extra={"fields": {name: [text] for name, text in fields.items()}}
    )


def amount_due(commitment: ReciprocityCommitment, revenue: Decimal) -> Decimal:
    """What the commitment asks for one period: the share of ``revenue`` (rounded to the
    cent, half up), or the fixed amount whatever the revenue."""
    if commitment.kind == ReciprocityKind.REVENUE_SHARE:
        return share_of(revenue, commitment.revenue_share)
    return commitment.fixed_amount


def _check_terms(kind, revenue_share, fixed_amount, period, starts_on) -> None:
    errors: dict[str, str] = {}
    if kind not in ReciprocityKind.values:
        errors["kind"] = _("Choisissez une part du chiffre d'affaires ou un montant fixe.")
    elif kind == ReciprocityKind.REVENUE_SHARE:
        if revenue_share is None or not Decimal(0) < revenue_share <= 100:
            errors["revenue_share"] = _("Indiquez une part comprise entre 0 et 100 %, non nulle.")
        if fixed_amount is not None:
            errors["fixed_amount"] = _(
                "Un engagement en part du chiffre d'affaires n'a pas de montant fixe."
            )
    else:
        if fixed_amount is None or fixed_amount <= 0:
            errors["fixed_amount"] = _("Indiquez un montant par période supérieur à zéro.")
        if revenue_share is not None:
            errors["revenue_share"] = _(
                "Un engagement à montant fixe n'a pas de part du chiffre d'affaires."
            )
    if period not in ReciprocityPeriod.values:
        errors["period"] = _("Choisissez le mois, le trimestre ou l'année.")
    if starts_on is None:
        errors["starts_on"] = _("Indiquez la date de début de l'engagement.")
    if errors:
        raise ApplicationError(
            _("L'engagement de réciprocité n'est pas valable."),
            code="invalid_commitment",
            extra={"fields": {name: [text] for name, text in errors.items()}},
        )


@transaction.atomic
def commitment_sign(
    *,
    actor,
    organisation: Organisation,
    commons: Commons,
    kind: str,
    period: str,
    starts_on: date,
    revenue_share: Decimal | None = None,
    fixed_amount: Decimal | None = None,
    commercial_use: str = "",
) -> ReciprocityCommitment:
    """A member of a partner organisation signs, for one commons, its commitment to give
    back a share of its revenue or a fixed amount per period. One commitment in force
    per organisation and commons (409 if one already is)."""
    require_member(actor, organisation, message=_("Vous n'êtes pas membre de cette organisation."))
    if organisation.kind != OrganisationKind.PARTNER:
        raise Forbidden(
            _("Seules les organisations partenaires signent un contrat de réciprocité."),
            code="not_a_partner",
        )
    _check_terms(kind, revenue_share, fixed_amount, period, starts_on)
    # Lock the organisation's row: two signatures at once are serialised.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    already = WrongState(
        _("Cette organisation a déjà un engagement en cours pour ce commun."),
        code="already_committed",
    )
    if ReciprocityCommitment.objects.filter(
        organisation=organisation, commons=commons, ended_on__isnull=True
    ).exists():
        raise already
    commitment = ReciprocityCommitment(
        organisation=organisation,
        commons=commons,
        kind=kind,
        revenue_share=revenue_share,
        fixed_amount=fixed_amount,
        period=period,
        starts_on=starts_on,
        commercial_use=commercial_use,
        signed_by=actor,
        signed_at=timezone.now(),
    )
    commitment.full_clean(exclude=["signed_by"], validate_constraints=False)
    try:
        with transaction.atomic():
            commitment.save()
    except IntegrityError:  # the database's one-in-force constraint, under a race
        raise already from None
    audit_record(
        verb="reciprocity.signed",
        actor=actor,
        obj=commitment,
        data={
            "organisation": organisation.pk,
            "commons": commons.pk,
            "kind": kind,
            "revenue_share": revenue_share,
            "fixed_amount": fixed_amount,
            "period": period,
            "starts_on": starts_on,
        },
    )
    return commitment


def _locked(commitment: ReciprocityCommitment) -> ReciprocityCommitment:
    return ReciprocityCommitment.objects.select_for_update().get(pk=commitment.pk)


@transaction.atomic
def commitment_end(
    *, actor, commitment: ReciprocityCommitment, ended_on: date | None = None
) -> ReciprocityCommitment:
    """A member of the organisation ends its commitment (today by default). Its
    declarations stay on the board; it takes no new one."""
    require_member(
        actor, commitment.organisation, message=_("Vous n'êtes pas membre de cette organisation.")
    )
    commitment = _locked(commitment)
    if commitment.ended_on is not None:
        raise WrongState(_("Cet engagement est déjà terminé."), code="commitment_ended")
    ended_on = ended_on or timezone.localdate()
    if ended_on < commitment.starts_on:
        raise _invalid(
            "invalid_end",
            _("Un engagement ne finit pas avant d'avoir commencé."),
            {"ended_on": _("Indiquez une date postérieure au début de l'engagement.")},
        )
    commitment.ended_on = ended_on
    commitment.ended_by = actor
    commitment.save(update_fields=["ended_on", "ended_by"])
    audit_record(
        verb="reciprocity.ended",
        actor=actor,
        obj=commitment,
        data={"ended_on": ended_on},
    )
    return commitment


@transaction.atomic
def declaration_submit(
    *,
    actor,
    commitment: ReciprocityCommitment,
    period_start: date,
    revenue: Decimal,
    given: Decimal,
) -> ReciprocityDeclaration:
    """A member of the organisation declares, for one period of its commitment, the
    revenue it earned with the commons and what it gave back. What was due is computed
    from the commitment's terms; a shortfall shows on the board. One declaration per
    period; an ended commitment takes no new declaration."""
    require_member(
        actor, commitment.organisation, message=_("Vous n'êtes pas membre de cette organisation.")
    )
    commitment = _locked(commitment)
    if commitment.ended_on is not None:
        raise WrongState(
            _("Cet engagement est terminé : il ne reçoit plus de déclaration."),
            code="commitment_ended",
        )
    errors: dict[str, str] = {}
    if period_start is None:
        errors["period_start"] = _("Indiquez la période déclarée.")
    elif period_start != period_start_of(period_start, commitment.period):
        errors["period_start"] = _(
            "Une période commence le premier jour du mois, du trimestre ou de l'année."
        )
    elif period_end_of(period_start, commitment.period) < commitment.starts_on:
        errors["period_start"] = _("Cette période précède le début de l'engagement.")
    elif period_start > timezone.localdate():
        errors["period_start"] = _("Cette période n'a pas encore commencé.")
    if revenue is None or revenue < 0:
        errors["revenue"] = _("Indiquez un chiffre d'affaires positif ou nul.")
    if given is None or given < 0:
        errors["given"] = _("Indiquez un montant reversé positif ou nul.")
    if errors:
        raise ApplicationError(
            _("La déclaration n'est pas valable."),
            code="invalid_declaration",
            extra={"fields": {name: [text] for name, text in errors.items()}},
        )
    already = _invalid(
        "already_declared",
        _("Cette période est déjà déclarée."),
        {"period_start": _("Une seule déclaration par période.")},
    )
    if commitment.declarations.filter(period_start=period_start).exists():
        raise already
    due = amount_due(commitment, revenue)
    try:
        with transaction.atomic():
            declaration = ReciprocityDeclaration.objects.create(
                commitment=commitment,
                period_start=period_start,
                revenue=revenue,
                given=given,
                due=due,
                declared_by=actor,
                declared_at=timezone.now(),
            )
    except IntegrityError:
        raise already from None
    audit_record(
        verb="reciprocity.declared",
        actor=actor,
        obj=declaration,
        data={
            "commitment": commitment.pk,
            "period_start": period_start,
            "revenue": revenue,
            "given": given,
            "due": due,
        },
    )
    return declaration
