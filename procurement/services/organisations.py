"""An organisation's identity as a contracting party: what an acte d'engagement names
(its SIRET, address, legal representative and capacity, VAT regime), kept up to date by
the organisation's own members."""

from django.db import transaction
from django.utils.translation import gettext as _

from kernel.guards import validated_save
from procurement.models import Organisation, Role
from procurement.services.audit import audit_record
from procurement.services.common import require_member

# The fields an organisation's members may change themselves; the others (its name, its
# kind, a buyer's category…) are the administrators'.
IDENTITY_FIELDS = (
    "legal_form",
    "siret",
    "address",
    "representative_name",
    "representative_capacity",
    "vat_regime",
    "ess_status",
    "inclusion_status",
    "inclusion_share",
)
# Of those, the ones only the organisation's administrators change: its ESS status opens
# the lots reserved under article L2113-15 du code de la commande publique, its status
# of entreprise adaptée, ESAT or SIAE and its share of disabled or disadvantaged workers
# those reserved under articles L2113-12 and L2113-13.
ADMIN_FIELDS = ("ess_status", "inclusion_status", "inclusion_share")


def identity_missing(organisation: Organisation) -> list[str]:
    """What the titulaire of a contract must state and ``organisation`` has not: the
    SIRET, the address, the legal representative and the capacity in which they sign —
    the identification of the acte d'engagement (form ATTRI1, rubrique B). Labels in
    French, in the order of the piece; empty when the identity is complete."""
    missing = []
    if not organisation.siret.strip():
        missing.append(_("SIRET"))
    if not organisation.address.strip():
        missing.append(_("adresse"))
    if not organisation.representative_name.strip():
        missing.append(_("représentant légal"))
    if not organisation.representative_capacity.strip():
        missing.append(_("qualité du représentant"))
    return missing


@transaction.atomic
def organisation_identity_update(*, actor, organisation: Organisation, **fields) -> Organisation:
    """A member of ``organisation`` updates its identity as a contracting party (the
    ``IDENTITY_FIELDS`` only; 403 for anyone else). The SIRET is checked (14 digits and
    its Luhn key, ``procurement.validators``) and must extend the SIREN when both are
    known. Its ESS status (``EssStatus``: article 1er de la loi n° 2014-856 du 31 juillet
    2014, agrément ESUS of article L3332-17-1 du code du travail) is changed by its
    administrators only (403 for a member; sending it unchanged is allowed). Records an
    ``organisation.identity_updated`` event naming the changed fields."""
    require_member(
        actor,
        organisation,
        message=_("Seuls les membres de l'organisation modifient son identité."),
    )
    unknown = set(fields) - set(IDENTITY_FIELDS)
    if unknown:
        raise ValueError(f"not an identity field: {sorted(unknown)}")
    changed = sorted(name for name, value in fields.items() if getattr(organisation, name) != value)
    if set(changed) & set(ADMIN_FIELDS):
        require_member(
            actor,
            organisation,
            roles=(Role.ADMIN,),
            message=_(
                "Seuls les administrateurs de l'organisation déclarent son statut ESS, de "
                "structure du handicap ou d'insertion."
            ),
        )
    for name, value in fields.items():
        setattr(organisation, name, value.strip() if isinstance(value, str) else value)
    validated_save(organisation)
    audit_record(
        verb="organisation.identity_updated",
        actor=actor,
        obj=organisation,
        data={"fields": changed},
    )
    return organisation
