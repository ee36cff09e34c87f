"""What keeps the award pieces from being drawn up, told to the buyer with where each
missing thing is entered: the refusals of ``workflows.pack.pack_refusals`` (the ones the
document job fails with, code ``pieces_refused``), each with the page that completes it
— or, when the buyer may not enter it, who does and where."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from procurement import queries
from procurement.models import ChallengeStatus, Organisation, Proposal
from procurement.services.documents import DOCUMENT_STAGES
from workflows.pack import Missing, pack_refusals


@dataclass(frozen=True)
class Action:
    """A link to the page where the gap is filled (``url``), or, for who may not fill
    it, a sentence saying who does (``url`` empty)."""

    label: str
    url: str = ""


@dataclass(frozen=True)
class PackGap:
    message: str
    actions: tuple[Action, ...]


def pack_gaps(user, challenge) -> list[PackGap]:
    """The refusals the award pieces meet now (at the stages where the pack exists),
    with what ``user`` can do about each. A constant number of queries: the pack's
    contexts, then one query per kind of object named."""
    if challenge.status not in DOCUMENT_STAGES:
        return []
    refusals = pack_refusals(challenge)
    if not refusals:
        return []
    wanted: dict[Missing, set[int]] = {kind: set() for kind in Missing}
    for refusal in refusals:
        for gap in refusal.gaps:
            wanted[gap.missing].add(gap.pk)
    resources = {r.pk: r for r in challenge.resources.filter(pk__in=wanted[Missing.HOST])}
    organisations = Organisation.objects.in_bulk(wanted[Missing.IDENTITY])
    mine = set(
        queries.organisations_of(user)
        .filter(pk__in=wanted[Missing.IDENTITY], memberships__role__in=queries.STAFF_ROLES)
        .values_list("pk", flat=True)
    )
    proposals = Proposal.objects.in_bulk(wanted[Missing.GROUPEMENT])
    hosting = reverse("portal:hosting", args=[challenge.pk])

    def action(gap) -> Action | None:
        if gap.missing == Missing.HOST and gap.pk in resources:
            return Action(
                _("Désigner la structure hébergeuse de « %(resource)s »")
                % {"resource": resources[gap.pk].title},
                f"{hosting}#ressource-{gap.pk}",
            )
        if gap.missing == Missing.IDENTITY and gap.pk in organisations:
            name = organisations[gap.pk].name
            if gap.pk in mine:
                return Action(
                    _("Compléter l'identité de « %(name)s »") % {"name": name},
                    reverse("portal:organisation", args=[gap.pk]),
                )
            return Action(
                _(
                    "Seuls les membres de « %(name)s » complètent son identité : invitez-les "
                    "à le faire."
                )
                % {"name": name}
            )
        if gap.missing == Missing.GROUPEMENT and gap.pk in proposals:
            # Declared with the proposal until the deadline; once retained, settled
            # by the coordinator before the signature (mise au point, R2152-13).
            proposal = proposals[gap.pk]
            if challenge.status == ChallengeStatus.PROPOSALS:
                return Action(
                    _("Déclarer le groupement avec la proposition"),
                    reverse("portal:proposal", args=[challenge.pk]),
                )
            return Action(
                _("Mettre au point le groupement de « %(title)s » (son coordinateur)")
                % {"title": proposal.title},
                reverse("portal:proposal", args=[challenge.pk])
                + f"#mise-au-point-{proposal.group_id}",
            )
        return None

    gaps = []
    for refusal in refusals:
        actions = []
        for gap in refusal.gaps:
            done = action(gap)
            if done is not None and done not in actions:
                actions.append(done)
        gaps.append(PackGap(refusal.message, tuple(actions)))
    return gaps
