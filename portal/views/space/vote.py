"""The collective vote of a call: the ballot page of its funders and contributors, and
the result (public once counted)."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kernel.errors import Forbidden, WrongState
from portal.errors import portal_errors
from portal.forms.votes import BallotForm
from portal.views.common import portal_login_required, submit
from procurement import queries
from scoring import votes as vote_queries
from scoring.aggregation import grade_name
from scoring.services import votes as vote_services


@portal_login_required
@portal_errors
def vote(request, pk):
    """« Voter sur les communs à cofinancer »: the ballot of one of the user's voting
    organisations (chosen by ``?organisation=``), changed until the close; its
    organisation's own commons are shown but not graded. 403 for who does not vote."""
    challenge = queries.access_challenge(user=request.user, pk=pk)
    the_vote = vote_queries.access_vote(challenge)
    organisations = list(vote_services.voter_organisations(request.user, challenge))
    if not organisations:
        raise Forbidden(
            _("Seuls les financeurs et les contributeurs de l'appel votent."), code="not_a_voter"
        )
    wanted = request.POST.get("organisation") or request.GET.get("organisation")
    organisation = next((o for o in organisations if str(o.pk) == wanted), organisations[0])
    candidates = [(c, vote_queries.commons_title(c)) for c in vote_queries.candidates_of(the_vote)]
    own = queries.own_group_proposals(challenge, [organisation.pk]).get(organisation.pk, set())
    ballot = vote_queries.ballot_of(the_vote, organisation)
    initial = {f"c{pid}": grade_name(grade) for pid, grade in ballot.items()}
    form = BallotForm(
        request.POST if request.method == "POST" else None,
        candidates=candidates,
        own=own,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        done, status = submit(
            request,
            form,
            vote_services.ballot_submit,
            success_message=_(
                "Votre bulletin est enregistré ; vous pouvez le modifier jusqu'à la clôture."
            ),
            success_url=reverse("portal:vote", args=[pk]) + f"?organisation={organisation.pk}",
            data=lambda f: f.service_kwargs(),
            actor=request.user,
            vote=the_vote,
            organisation=organisation,
        )
        if done:
            return done
    return render(
        request,
        "portal/space/vote.html",
        {
            "challenge": challenge,
            "vote": the_vote,
            "form": form,
            "organisation": organisation,
            "organisations": organisations,
            "own": [(c, t) for c, t in candidates if c.proposal_id in own],
            "ballots": vote_queries.my_ballots(request.user, the_vote),
            "voted": bool(ballot),
        },
        status=status,
    )


@portal_errors
def vote_result(request, pk):
    """The result of a call's collective vote, for everyone once counted: per commons
    its merit profile (share of each mention), its majority grade, whether it is
    retained and why, and the tie-breaks in words. Before the close: when it ends."""
    challenge = queries.access_challenge(user=request.user, pk=pk)
    the_vote = vote_queries.access_vote(challenge)
    try:
        rows = vote_queries.vote_results(the_vote)
    except WrongState:
        rows = None
    return render(
        request,
        "portal/vote_result.html",
        {
            "challenge": challenge,
            "vote": the_vote,
            "rows": rows,
            "grades": vote_queries.GRADES_BEST_FIRST,
            "min_grade": vote_queries.grade_label(the_vote.min_grade),
        },
    )
