"""The structure hébergeuse of a funded commons: the party that receives the funders'
money and passes it on to the contributors. The cofunding conventions and the
reciprocity contracts name it as a signing party, so it is designated before the award
pieces are generated (``workflows.pack.conventions`` refuses them otherwise)."""

from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kernel.errors import WrongState
from kernel.guards import field_error, validated_save
from procurement.models import (
    ChallengeResource,
    ChallengeStatus,
    Commons,
    CommonsCategory,
    Organisation,
    OrganisationKind,
)
from procurement.services.audit import audit_record
from procurement.services.common import require_member


def require_host(commons: Commons | None, *, name: str = "") -> Commons:
    """No money moves for a commons without a structure hébergeuse: the host receives the
    funds and passes them on to the contributors (seed 003: « l'hébergement consiste en
    accueillir des fonds des financeurs et les redistribuer aux contributeurs »), and the
    conventions name it as the party that signs for the money. Every service that moves
    money for a commons (the cofunding close committing pledges, a subsidy, the ledger's
    incomes, exploration grants, expenses and payments) calls this first.

    Raises ``WrongState`` (409, code ``no_host``) naming the commons — or ``name``, the
    resource's title, when the commons is still to be created."""
    if commons is None or commons.host_id is None:
        raise WrongState(
            _(
                "Le commun « %(commons)s » n'a pas de structure hébergeuse : aucun argent ne "
                "circule pour lui avant que l'acheteur l'ait désignée (elle reçoit les fonds "
                "et les reverse aux contributeurs)."
            )
            % {"commons": commons.name if commons is not None else name},
            code="no_host",
        )
    return commons


# Once the award is signed (or the call closed) the conventions are signed too.
CLOSED = (ChallengeStatus.AWARDED, ChallengeStatus.UNSUCCESSFUL, ChallengeStatus.CANCELLED)


def _new_commons(resource: ChallengeResource, host: Organisation) -> Commons:
    """The commons a resource to be created becomes, hosted from the start; it stays
    out of the catalogue until the Chambre references it."""
    name = resource.title
    if Commons.objects.filter(name=name).exists():
        name = f"{resource.title} ({resource.challenge.reference})"
    base = slugify(name)[:190] or "commun"
    slug, n = base, 1
    while Commons.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    commons = Commons(
        name=name,
        slug=slug,
        description=resource.description,
        category=CommonsCategory.KNOWLEDGE,
        licence=resource.expected_licence,
        host=host,
    )
    validated_save(commons)
    return commons


@transaction.atomic
def resource_host_designate(
    *,
    actor,
    resource: ChallengeResource,
    host: Organisation,
    hosting_fee: Decimal | None = None,
) -> Commons:
    """The buyer designates the structure hébergeuse of a commons its call asks for.

    Rule: the host receives the funds and passes them on to the contributors; a
    convention or a reciprocity contract without it would have no party to sign it
    (loi n° 2000-321, art. 10: the convention names the beneficiary of the subsidy).

    Preconditions: the actor is an agent of the buyer; the call is not awarded, closed
    or cancelled; ``host`` is an organisation of kind "structure hébergeuse". A commons
    the catalogue already hosts keeps its host: designating another one is refused
    (409), designating the same one changes nothing.

    Side effects: a resource still to be created becomes a commons (outside the
    catalogue) hosted by ``host``; one ``commons.host_designated`` audit event. The
    host's fee may be stated at once (``hosting_fee``, see ``commons_hosting_fee_set``).
    """
    challenge = resource.challenge
    require_member(
        actor,
        challenge.buyer,
        message=_("Seul un agent de l'acheteur désigne la structure hébergeuse."),
    )
    if challenge.status in CLOSED:
        raise WrongState(
            _("L'appel est clos : sa structure hébergeuse ne se désigne plus."),
            code="wrong_stage",
        )
    if host.kind != OrganisationKind.HOST:
        raise field_error(
            "host",
            _("« %(name)s » n'est pas une structure hébergeuse.") % {"name": host.name},
            code="not_a_host",
        )
    resource = ChallengeResource.objects.select_for_update().get(pk=resource.pk)
    commons = resource.commons
    if commons is None:
        commons = _new_commons(resource, host)
        resource.commons = commons
        resource.save(update_fields=["commons"])
    elif commons.host_id is None:
        commons.host = host
        commons.save(update_fields=["host"])
    elif commons.host_id == host.pk:
        if hosting_fee is not None:
            commons_hosting_fee_set(actor=actor, resource=resource, hosting_fee=hosting_fee)
        return commons
    else:
        raise WrongState(
            _("Le commun « %(commons)s » est déjà hébergé par %(host)s.")
            % {"commons": commons.name, "host": commons.host.name},
            code="host_already_set",
        )
    audit_record(
        verb="commons.host_designated",
        actor=actor,
        challenge=challenge,
        obj=commons,
        data={"resource": resource.pk, "commons": commons.pk, "host": host.pk},
    )
    if hosting_fee is not None:
        commons_hosting_fee_set(actor=actor, resource=resource, hosting_fee=hosting_fee)
    return commons


@transaction.atomic
def commons_hosting_fee_set(*, actor, resource: ChallengeResource, hosting_fee: Decimal) -> Commons:
    """The buyer states the fee the host of a resource's commons keeps on the funds it
    receives, in percent (0, the default: hosted free of charge), as agreed with the host
    and the contributors; the contrat d'hébergement prints it (``workflows.pack.hosting``).

    Preconditions: the actor is an agent of the buyer (403); the call is not closed
    (409); the commons has its host (409 ``no_host``); the fee lies between 0 and 100 %,
    in hundredths (400 on ``hosting_fee``). One ``commons.hosting_fee_set`` audit event
    when it changes."""
    challenge = resource.challenge
    require_member(
        actor,
        challenge.buyer,
        message=_("Seul un agent de l'acheteur fixe les frais d'hébergement."),
    )
    if challenge.status in CLOSED:
        raise WrongState(
            _("L'appel est clos : les frais d'hébergement ne changent plus."),
            code="wrong_stage",
        )
    resource = ChallengeResource.objects.select_related("commons").get(pk=resource.pk)
    commons = require_host(resource.commons, name=resource.title)
    if (
        not isinstance(hosting_fee, Decimal)
        or not hosting_fee.is_finite()
        or not Decimal(0) <= hosting_fee <= Decimal(100)
        or hosting_fee != hosting_fee.quantize(Decimal("0.01"))
    ):
        raise field_error(
            "hosting_fee",
            _("Les frais d'hébergement se donnent en pourcentage, de 0 à 100, au centième."),
            code="invalid_fee",
        )
    commons = Commons.objects.select_for_update().get(pk=commons.pk)
    if commons.hosting_fee == hosting_fee:
        return commons
    before = commons.hosting_fee
    commons.hosting_fee = hosting_fee
    commons.save(update_fields=["hosting_fee"])
    audit_record(
        verb="commons.hosting_fee_set",
        actor=actor,
        challenge=challenge,
        obj=commons,
        data={"commons": commons.pk, "before": before, "after": hosting_fee},
    )
    return commons
