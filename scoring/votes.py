"""The reads of a call's collective vote: who may vote, my ballot, and the result in
words (the API and the portal show the same rows)."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Exists, Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kernel.errors import NotFound, WrongState
from procurement.models import ChallengeStatus, Organisation, OrganisationKind
from procurement.queries import STAFF_ROLES, org_ids, own_group_proposals
from scoring.aggregation import MJ_GRADES, grade_name
from scoring.models import Ballot, CollectiveVote, Grade, VoteCandidate
from scoring.services.votes import voter_organisations

# Best first, as a ballot and a profile read them.
GRADES_BEST_FIRST = [Grade(n) for n in range(len(MJ_GRADES) - 1, -1, -1)]


def grade_label(number: int | None) -> str:
    return "" if number is None else str(Grade(number).label)


def vote_for(challenge) -> CollectiveVote | None:
    return CollectiveVote.objects.filter(challenge_id=challenge.pk).first()


def candidates_of(vote: CollectiveVote) -> list[VoteCandidate]:
    return list(
        vote.candidates.select_related("proposal__group__resource").order_by("rank", "pk")
        if vote.closed_at
        else vote.candidates.select_related("proposal__group__resource").order_by("pk")
    )


def commons_title(candidate: VoteCandidate) -> str:
    return candidate.proposal.group.resource.title


def ballot_of(vote: CollectiveVote, organisation) -> dict[int, int]:
    """An organisation's grades, by proposal id (empty: it has not voted)."""
    ballot = Ballot.objects.filter(vote=vote, organisation=organisation).first()
    if ballot is None:
        return {}
    return dict(ballot.grades.values_list("candidate__proposal_id", "grade"))


def my_ballots(user, vote: CollectiveVote) -> list[dict]:
    """For each of the user's voting organisations: its grades (mentions by proposal id),
    the commons it does not grade (its own), when and by whom its ballot was cast."""
    organisations = list(voter_organisations(user, vote.challenge))
    own = own_group_proposals(vote.challenge, [o.pk for o in organisations])
    ballots = {
        b.organisation_id: b
        for b in Ballot.objects.filter(vote=vote, organisation__in=organisations)
        .select_related("cast_by")
        .prefetch_related("grades__candidate")
    }
    rows = []
    for organisation in organisations:
        ballot = ballots.get(organisation.pk)
        rows.append(
            {
                "organisation": organisation,
                "grades": {
                    g.candidate.proposal_id: grade_name(g.grade) for g in ballot.grades.all()
                }
                if ballot
                else {},
                "own": sorted(own.get(organisation.pk, set())),
                "cast_at": ballot.updated_at if ballot else None,
                "cast_by": ballot.cast_by if ballot else None,
            }
        )
    return rows


def _percent(share: Fraction) -> Decimal:
    return (Decimal(share.numerator) * 100 / Decimal(share.denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def _reason(candidate: VoteCandidate, vote: CollectiveVote) -> str:
    grade, minimum = grade_label(candidate.majority_grade), grade_label(vote.min_grade)
    texts = {
        "above_threshold": _("Retenu : mention majoritaire « %(grade)s », au moins « %(min)s »."),
        "below_threshold": _(
            "Non retenu : mention majoritaire « %(grade)s », en dessous de « %(min)s »."
        ),
        "beyond_cap": _(
            "Non retenu : jugé au moins « %(min)s », mais les %(cap)s places sont prises par "
            "des communs mieux jugés."
        ),
        "no_ballot": _(
            "Retenu : aucun bulletin n'a été déposé, la sélection de l'acheteur s'applique."
        ),
        "ungraded": _(
            "Retenu : aucun votant ne pouvait le noter (tous membres de son groupe de travail), "
            "la sélection de l'acheteur s'applique."
        ),
    }
    return texts[candidate.reason] % {"grade": grade, "min": minimum, "cap": vote.max_retained}


def _tie_text(candidate: VoteCandidate, titles: dict[int, str]) -> str:
    tie = candidate.tie_break
    if not tie:
        return ""
    removed = Fraction(tie["removed"][0], tie["removed"][1])
    return _(
        "À égalité de mention majoritaire (« %(majority)s ») avec « %(other)s », « %(title)s » "
        "passe devant : en retirant pas à pas la mention médiane de chacun, ils restent égaux "
        "jusqu'à ce que %(removed)s %% des mentions soient retirées ; la mention médiane "
        "suivante est alors « %(grade)s » pour « %(title)s » et « %(other_grade)s » pour "
        "« %(other)s »."
    ) % {
        "majority": grade_label(candidate.majority_grade),
        "other": titles.get(tie["other"], ""),
        "title": titles[candidate.proposal_id],
        "removed": number_format(_percent(removed), 1),
        "grade": grade_label(tie["grade"]),
        "other_grade": grade_label(tie["other_grade"]),
    }


def vote_results(vote: CollectiveVote) -> list[dict]:
    """Each commons' result, best first: its merit profile (count and share of each
    mention, best first), majority grade, rank, whether it is retained and why, and the
    tie-break in words. 409 while the vote is not counted: the ballots are secret."""
    if vote.closed_at is None:
        raise WrongState(
            _("Les résultats sont publiés à la clôture du vote."), code="vote_not_closed"
        )
    candidates = candidates_of(vote)
    titles = {c.proposal_id: commons_title(c) for c in candidates}
    rows = []
    for candidate in candidates:
        counts = candidate.counts or [0] * len(MJ_GRADES)
        total = sum(counts)
        exact = [
            titles[c.proposal_id]
            for c in candidates
            if c.pk != candidate.pk
            and c.majority_grade is not None
            and c.rank == candidate.rank
            and candidate.majority_grade is not None
        ]
        rows.append(
            {
                "proposal": candidate.proposal_id,
                "title": titles[candidate.proposal_id],
                "proposal_title": candidate.proposal.title,
                "rank": candidate.rank,
                "grades": total,
                "majority_grade": grade_label(candidate.majority_grade),
                "majority_grade_value": candidate.majority_grade,
                "retained": bool(candidate.retained),
                "reason": _reason(candidate, vote),
                "tie_break": _tie_text(candidate, titles)
                or (
                    _(
                        "Ex aequo avec %(others)s : exactement les mêmes parts de chaque mention, "
                        "ils sont traités de même."
                    )
                    % {"others": ", ".join(f"« {t} »" for t in exact)}
                    if exact
                    else ""
                ),
                "tied_with": exact,
                "profile": [
                    {
                        "grade": str(grade.label),
                        "value": int(grade),
                        "count": counts[int(grade)],
                        "percent": _percent(Fraction(counts[int(grade)], total))
                        if total
                        else Decimal("0.0"),
                    }
                    for grade in GRADES_BEST_FIRST
                ],
            }
        )
    return rows


def access_vote(challenge) -> CollectiveVote:
    vote = vote_for(challenge)
    if vote is None:
        raise NotFound(_("Cet appel ne prévoit pas de vote collectif."), code="no_vote")
    return vote


def open_votes_for(user) -> list[CollectiveVote]:
    """The open votes the user may vote in (as staff of a funder, or of an organisation
    in one of the call's working groups), each with ``voted``: whether one of its
    organisations has cast its ballot. One query, two when there is a vote."""
    if user is None or not user.is_authenticated:
        return []
    mine = org_ids(user, STAFF_ROLES)
    is_funder = Exists(Organisation.objects.filter(pk__in=mine, kind=OrganisationKind.FUNDER))
    votes = list(
        CollectiveVote.objects.filter(
            opened_at__isnull=False,
            closed_at__isnull=True,
            challenge__status=ChallengeStatus.COFUNDING,  # not a cancelled call's
        )
        .filter(
            Q(is_funder) | Q(challenge__resources__working_group__members__organisation__in=mine)
        )
        .distinct()
        .select_related("challenge")
        .order_by("ends_at", "pk")
    )
    if not votes:
        return []
    cast = set(
        Ballot.objects.filter(vote__in=votes, organisation__in=mine).values_list(
            "vote_id", flat=True
        )
    )
    for vote in votes:
        vote.voted = vote.pk in cast
    return votes
