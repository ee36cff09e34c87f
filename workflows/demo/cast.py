"""The demo's organisations and accounts, created once (passwords reset each run)."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils.text import slugify

from procurement.models import (
    Commons,
    Membership,
    Organisation,
)
from procurement.services.opinions import (
    commons_reference,
)
from workflows.demo.data import (
    ACCOUNTS,
    CATALOGUE,
    IDENTITIES,
    INCLUSION,
    ORGANISATIONS,
)


@dataclass
class Cast:
    users: dict
    orgs: dict


def ensure_cast(password: str) -> Cast:
    """Organisations, accounts and the commons catalogue (created once, passwords reset)."""
    orgs = {}
    for name, kind, legal_form, siren in ORGANISATIONS:
        defaults = {"kind": kind, "legal_form": legal_form, "siren": siren}
        if name in IDENTITIES:
            siret, address, representative, capacity, vat_regime = IDENTITIES[name]
            defaults |= {
                "siret": siret,
                "address": address,
                "representative_name": representative,
                "representative_capacity": capacity,
                "vat_regime": vat_regime,
            }
        if name in INCLUSION:
            status, share = INCLUSION[name]
            defaults |= {"inclusion_status": status, "inclusion_share": Decimal(share)}
        org, _created = Organisation.objects.get_or_create(name=name, defaults=defaults)
        orgs[name] = org
    users = {}
    User = get_user_model()
    for username, first, last, org_name, role in ACCOUNTS:
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.communs.fr",
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, organisation=orgs[org_name], role=role)
        users[username] = user
    for name, category, licence, referenced, description in CATALOGUE:
        commons, created = Commons.objects.get_or_create(
            name=name,
            defaults={
                "slug": slugify(name),
                "category": category,
                "licence": licence,
                "description": description,
                "host": orgs["La Coop des Communs"],
                "community": "Collectivités, entreprises et associations contributrices.",
                "governance": "Comité de pilotage ouvert, décisions publiques, feuille de route.",
            },
        )
        if created and referenced:
            commons_reference(
                actor=users["moderatrice.chambre"],
                chambre=orgs["Chambre des communs de Lille"],
                commons=commons,
                reason="Ressource ouverte, communauté active et règles de gouvernance publiques.",
            )
    return Cast(users=users, orgs=orgs)


def accounts() -> list[dict]:
    memberships = (
        Membership.objects.filter(user__username__in=[a[0] for a in ACCOUNTS])
        .select_related("user", "organisation")
        .order_by("user__username")
    )
    return [
        {
            "username": m.user.username,
            "role": m.role,
            "organisation": m.organisation.name,
            "organisation_kind": m.organisation.kind,
        }
        for m in memberships
    ]
