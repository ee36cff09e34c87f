"""Pages anyone may read: the published challenges, one challenge with its resources,
questions, opinions and results, the commons catalogue and each commons' reciprocity
board; and signing in."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.errors import NotFound
from portal import proconnect
from portal import queries as home_queries
from portal.chart import bar_chart
from portal.errors import portal_errors
from portal.forms import ChallengeFilterForm, CommonsFilterForm, PortalForm, QuestionForm
from portal.views.common import cleaned_data, submit
from procurement import queries
from procurement.calendar import deadlines_ics
from procurement.models import ChallengeStatus, DocumentStage, OrganisationKind
from procurement.services.amendments import amendable_by
from procurement.services.award_rules import publication_warnings
from procurement.services.questions import question_ask
from scoring import votes as vote_queries
from scoring.queries import grid_of
from scoring.services.votes import voter_organisations

QUESTION_STAGES = (ChallengeStatus.POSITIONING, ChallengeStatus.PROPOSALS)


def home(request):
    """The published challenges (and, for their buyer and Chambre, the drafts), with
    their stage and next deadline."""
    caller = home_queries.Caller.of(request.user)
    buyers = home_queries.call_buyers(caller)
    form = ChallengeFilterForm(request.GET or None, buyers=[(b.pk, b.name) for b in buyers])
    filters = form.cleaned_data if form.is_valid() else {}
    page = home_queries.calls_page(
        caller,
        number=request.GET.get("page"),
        buyers=buyers,
        **{k: filters.get(k, "") for k in ("q", "stage", "buyer")},
    )
    query = request.GET.copy()
    query.pop("page", None)
    filtered = any(filters.values())
    return render(
        request,
        "portal/home.html",
        {"page": page, "form": form, "query": query.urlencode(), "filtered": filtered},
    )


@portal_errors
def challenge_detail(request, pk):
    """A challenge as the caller may see it; a partner asks its questions here; its
    buyer's agents read the warnings its publication recorded."""
    challenge = queries.access_challenge(user=request.user, pk=pk)
    is_buyer_staff = queries.is_buyer_staff(request.user, challenge)
    partner_orgs = queries.organisations_of(request.user, OrganisationKind.PARTNER)
    question_form = None
    status = 200
    if challenge.status in QUESTION_STAGES and partner_orgs.exists():
        question_form = QuestionForm(
            request.POST if request.method == "POST" else None, organisations=partner_orgs
        )
        if request.method == "POST":
            done, status = submit(
                request,
                question_form,
                question_ask,
                success_message=_("Votre question est transmise à l'acheteur, qui y répondra."),
                success_url=reverse("portal:challenge", args=[pk]) + "#questions",
                data=cleaned_data,
                challenge=challenge,
                actor=request.user,
            )
            if done:
                return done
    context = {
        "challenge": challenge,
        "deadline": queries.next_deadline(challenge),
        "resources": queries.resources_of(challenge),
        "questions": queries.questions_visible_to(request.user, challenge),
        "opinions": queries.opinions_of(challenge),
        "deadline_notices": challenge.deadline_notices.all(),
        "results": queries.public_results(challenge),
        "round": _public_round(challenge),
        "explorations": queries.explorations_of(challenge),
        "grid": grid_of(challenge),
        "dce": [
            d
            for d in queries.latest_documents(challenge, user=request.user)
            if d.stage == DocumentStage.DCE
        ],
        "letters": queries.letters_addressed_to(request.user, challenge),
        "amendments": challenge.amendments.all(),
        "question_form": question_form,
        "is_buyer_staff": is_buyer_staff,
        "can_amend": is_buyer_staff and amendable_by(challenge, request.user),
        "publication_warnings": publication_warnings(challenge) if is_buyer_staff else [],
        "is_partner": partner_orgs.exists(),
        "is_funder": queries.funders_for(request.user, challenge).exists(),
        **_vote_context(request.user, challenge),
    }
    return render(request, "portal/challenge.html", context, status=status)


def _vote_context(user, challenge) -> dict:
    """The call's collective vote for its page: its plan, the vote page's link for the
    voters while it is open, the result once counted (secret before)."""
    vote = vote_queries.vote_for(challenge)
    if vote is None:
        return {"vote": None}
    return {
        "vote": vote,
        "vote_rows": vote_queries.vote_results(vote) if vote.closed_at else None,
        "vote_grades": vote_queries.GRADES_BEST_FIRST,
        "vote_min_grade": vote_queries.grade_label(vote.min_grade),
        "is_voter": vote.is_open and voter_organisations(user, challenge).exists(),
    }


def _public_round(challenge):
    """The cofunding round, for everyone to see each commons' progress and who pledged
    what (``None`` before it opens)."""
    try:
        return queries.cofunding_round_of(challenge)
    except NotFound:
        return None


def commons_list(request):
    """The commons catalogue, filtered by category, licence and referencing, searchable."""
    form = CommonsFilterForm(request.GET or None, licences=queries.catalogue_licences())
    filters = form.cleaned_data if form.is_valid() else {}
    commons = queries.commons_search(
        **{k: filters.get(k, "") for k in ("q", "category", "licence", "referenced")}
    )
    page = Paginator(commons, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/commons.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@portal_errors
def reciprocity(request, slug):
    """A commons' reciprocity board, for everyone: the organisations that committed to
    give back, what they owed and gave, drawn as bars with the table beside them."""
    commons = queries.access_commons(slug=slug)
    board = queries.reciprocity_board(commons)
    chart = bar_chart(
        [(row.organisation.name, {"given": row.given, "due": row.due}) for row in board.rows],
        [("given", _("Reversé")), ("due", _("Dû"))],
    )
    return render(
        request,
        "portal/reciprocity.html",
        {"commons": commons, "board": board, "chart": chart},
    )


class LoginForm(auth_views.AuthenticationForm, PortalForm):
    """Django's sign-in form, rendered with the DSFR markup."""


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    next_page = reverse_lazy("portal:inbox")
    extra_context = {"title": gettext_lazy("Connexion")}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "proconnect": settings.PROCONNECT_ENABLED}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class LogoutView(auth_views.LogoutView):
    """Sign out; an agent signed in through ProConnect is then sent to the provider's
    end_session endpoint (with the ID token as hint), which sends them back home."""

    next_page = reverse_lazy("portal:home")

    def post(self, request, *args, **kwargs):
        id_token = request.session.get(proconnect.ID_TOKEN_SESSION_KEY)
        response = super().post(request, *args, **kwargs)
        if id_token and settings.PROCONNECT_ENABLED and settings.OIDC_OP_LOGOUT_ENDPOINT:
            return redirect(proconnect.provider_logout_url(request, id_token))
        return response


@portal_errors
def challenge_ics(request, pk):
    """The call's deadlines as an .ics file anyone who may see the call can add to a
    calendar."""
    challenge = queries.access_challenge(user=request.user, pk=pk)
    url = request.build_absolute_uri(reverse("portal:challenge", args=[pk]))
    body = deadlines_ics(challenge, url=url, domain=request.get_host(), now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{challenge.reference}.ics"'
    return response
