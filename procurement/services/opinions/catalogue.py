"""The Chambre's catalogue of commons: proposals, referencing and dereferencing."""

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, Forbidden, WrongState
from kernel.guards import validated_save
from procurement.models import CatalogueDecision, Commons, Membership
from procurement.queries import OPINION_ROLES
from procurement.services.audit import audit_record
from procurement.services.common import require_member


@transaction.atomic
def commons_propose(*, actor, name: str, category: str, **fields):
    """Anyone who belongs to an organisation proposes a new commons (a resource a call
    needs, say); it stays out of the catalogue until the Chambre references it."""
    if not Membership.objects.filter(user=actor).exists():
        raise Forbidden(
            _("Seul le membre d'une organisation propose un commun."), code="not_allowed"
        )
    base = slugify(name)[:190] or "commun"
    slug, n = base, 1
    while Commons.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    commons = Commons(name=name, slug=slug, category=category, **fields)
    validated_save(commons)
    audit_record(verb="catalogue.proposed", actor=actor, obj=commons, data={"name": name})
    return commons


def _require_moderator_of(actor, chambre) -> None:
    require_member(
        actor,
        chambre,
        OPINION_ROLES,
        message=_("Seul le modérateur de la Chambre décide du référencement."),
    )


def _decide(*, actor, chambre, commons, reason: str, kind: str) -> CatalogueDecision:
    _require_moderator_of(actor, chambre)
    if not (reason or "").strip():
        raise ApplicationError(
            _("Une décision de référencement est motivée."),
            code="reason_required",
            extra={"fields": {"reason": [_("Ce champ est obligatoire.")]}},
        )
    now = timezone.now()
    decision = CatalogueDecision.objects.create(
        commons=commons,
        chambre=chambre,
        kind=kind,
        reason=reason.strip(),
        decided_by=actor,
        decided_at=now,
    )
    audit_record(
        verb=f"catalogue.{kind}",
        actor=actor,
        obj=commons,
        data={"chambre": chambre.pk, "reason": decision.reason},
    )
    return decision


@transaction.atomic
def commons_reference(*, actor, chambre, commons, reason: str) -> CatalogueDecision:
    """Reference a commons in the Chambre's catalogue. A commons is a resource, a
    community and its rules: all three, its category and its licence are required."""
    commons = type(commons).objects.select_for_update().get(pk=commons.pk)
    _require_moderator_of(actor, chambre)
    if commons.referenced:
        raise WrongState(_("Ce commun est déjà référencé."), code="already_referenced")
    missing = {
        name: [_("Ce champ est obligatoire pour référencer un commun.")]
        for name in ("description", "community", "governance", "licence", "category")
        if not getattr(commons, name).strip()
    }
    if missing:
        raise ApplicationError(
            _(
                "Un commun est une ressource, une communauté et des règles de gouvernance : "
                "complétez-le avant de le référencer."
            ),
            code="commons_incomplete",
            extra={"fields": missing},
        )
    decision = _decide(
        actor=actor, chambre=chambre, commons=commons, reason=reason, kind="reference"
    )
    commons.referenced = True
    commons.referenced_at = decision.decided_at
    commons.save(update_fields=["referenced", "referenced_at"])
    return decision


@transaction.atomic
def commons_dereference(*, actor, chambre, commons, reason: str) -> CatalogueDecision:
    """Take a commons out of the catalogue, with the reason (kept public)."""
    commons = type(commons).objects.select_for_update().get(pk=commons.pk)
    _require_moderator_of(actor, chambre)
    if not commons.referenced:
        raise WrongState(_("Ce commun n'est pas référencé."), code="not_referenced")
    decision = _decide(
        actor=actor, chambre=chambre, commons=commons, reason=reason, kind="dereference"
    )
    commons.referenced = False
    commons.referenced_at = None
    commons.save(update_fields=["referenced", "referenced_at"])
    return decision
