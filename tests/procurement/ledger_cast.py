"""A commons hosted by the world's host, with a working group of the three partners."""

from dataclasses import dataclass

from procurement.models import (
    Challenge,
    ChallengeResource,
    Commons,
    CommonsCategory,
    WorkingGroup,
    WorkingGroupMember,
)
from tests.conftest import member

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Cast:
    commons: object
    group: object
    treasurer: object
    treasurer2: object
    partners: list
    partner_users: list


def hosted_commons(world, name: str = "Covoiturage libre") -> Cast:
    commons = Commons.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-"),
        category=CommonsCategory.KNOWLEDGE,
        host=world.host,
    )
    challenge = Challenge.objects.create(
        reference=f"MEL-{commons.pk}",
        title="Mobilité partagée",
        context="Covoiturage",
        buyer=world.buyer,
        chambre=world.chambre,
        created_by=world.buyer_agent,
    )
    resource = ChallengeResource.objects.create(
        challenge=challenge, commons=commons, title="Logiciel de covoiturage"
    )
    group = WorkingGroup.objects.create(resource=resource, coordinator=world.partners[0])
    for organisation in world.partners:
        WorkingGroupMember.objects.create(group=group, organisation=organisation)
    return Cast(
        commons=commons,
        group=group,
        treasurer=member(world.host, f"tresorier{commons.pk}"),
        treasurer2=member(world.host, f"tresoriere{commons.pk}"),
        partners=world.partners,
        partner_users=world.partner_users,
    )
