"""The cofunding round: the funders' envelopes and pledges, the buyer's rules, grants
and subsidies, the working groups' buckets."""

from decimal import Decimal

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kernel.errors import Forbidden, NotFound
from portal.errors import portal_errors
from portal.forms import AllocationForm, PledgeForm, PortalForm
from portal.forms.funds import (
    BucketForm,
    ContributorAllocationsForm,
    MatchingOfferForm,
    PledgeMoveForm,
    RoundSettingsForm,
    SubsidyForm,
)
from portal.views.common import cleaned_data, portal_login_required, submit
from procurement import queries
from procurement.models import MatchingOffer, OrganisationKind, Pledge
from procurement.services import cofunding as cofunding_services


def _cofunding_forms(request, round_, funders, is_buyer, editable, action, matchers=None):
    """The cofunding page's forms, the one submitted bound to the request."""
    data = request.POST if action else None
    buckets = round_.buckets.select_related("proposal").order_by("id")
    open_ = round_.closed_at is None
    forms = {"withdraw": PortalForm(), "matching_withdraw": PortalForm()}
    if matchers is not None and open_:
        forms["matching"] = MatchingOfferForm(
            data if action == "matching" else None,
            matchers=matchers,
            buckets=buckets,
            prefix="matching",
        )
    # A closed round takes no envelope nor pledge: no form is offered (it would answer 409).
    if funders and open_:
        forms["allocation"] = AllocationForm(
            data if action == "allocation" else None, funders=funders, prefix="allocation"
        )
        forms["pledge"] = PledgeForm(
            data if action == "pledge" else None, funders=funders, buckets=buckets, prefix="pledge"
        )
        pledges = (
            Pledge.objects.filter(
                bucket__round=round_,
                allocation__funder__in=funders,
                status=Pledge.Status.ACTIVE,
            )
            .select_related("allocation__funder", "bucket__proposal")
            .order_by("id")
        )
        if open_ and pledges.exists():
            forms["move"] = PledgeMoveForm(
                data if action == "move" else None, pledges=pledges, buckets=buckets, prefix="move"
            )
    if is_buyer and open_:
        forms["settings"] = RoundSettingsForm(
            data if action == "settings" else None,
            initial={
                "beyond_minimum": round_.beyond_minimum,
                "edit_after_funded": round_.edit_after_funded,
            },
            prefix="settings",
        )
        forms["contributors"] = ContributorAllocationsForm(
            data if action == "contributors" else None, prefix="contributors"
        )
        forms["subsidy"] = SubsidyForm(
            data if action == "subsidy" else None, buckets=buckets, prefix="subsidy"
        )
    if open_:
        for bucket in buckets:
            if bucket.pk in editable:
                bound = action == "bucket" and request.POST.get("bucket") == str(bucket.pk)
                forms[f"bucket{bucket.pk}"] = BucketForm(
                    data if bound else None,
                    initial={
                        "description": bucket.description,
                        "min_amount": bucket.min_amount,
                        "max_amount": bucket.max_amount,
                    },
                    prefix=f"b{bucket.pk}",
                )
    return forms


COFUNDING_SERVICES = {
    "allocation": cofunding_services.allocation_set,
    "pledge": cofunding_services.pledge_create,
    "move": cofunding_services.pledge_move,
    "settings": cofunding_services.cofunding_update,
    "contributors": cofunding_services.allocations_grant_contributors,
    "subsidy": cofunding_services.subsidy_record,
    "bucket": cofunding_services.bucket_update,
    "matching": cofunding_services.matching_offer_create,
}


def _cofunding_call(request, round_, funders, forms, action):
    """Run the service the submitted form names: the redirect when it is done (else
    ``None``) and the page's status."""
    user = request.user
    saved = {
        "success_message": _("C'est enregistré."),
        "success_url": reverse("portal:cofunding", args=[round_.challenge_id]),
    }
    if action == "withdraw":
        pledge_id = request.POST.get("pledge", "")
        pledge = (
            Pledge.objects.filter(
                pk=int(pledge_id), bucket__round=round_, allocation__funder__in=funders
            ).first()
            if pledge_id.isascii() and pledge_id.isdigit() and len(pledge_id) < 12
            else None
        )
        if pledge is None:
            raise NotFound(_("Engagement introuvable."))
        forms["withdraw"] = PortalForm(request.POST)
        return submit(
            request,
            forms["withdraw"],
            cofunding_services.pledge_withdraw,
            **saved,
            actor=user,
            pledge=pledge,
        )
    if action == "matching_withdraw":
        offer_id = request.POST.get("offer", "")
        offer = (
            round_.matching_offers.filter(pk=int(offer_id)).first()
            if offer_id.isascii() and offer_id.isdigit() and len(offer_id) < 12
            else None
        )
        if offer is None:
            raise NotFound(_("Abondement introuvable."))
        forms["matching_withdraw"] = PortalForm(request.POST)
        return submit(
            request,
            forms["matching_withdraw"],
            cofunding_services.matching_offer_withdraw,
            **saved,
            actor=user,
            offer=offer,
        )
    if action not in COFUNDING_SERVICES:
        raise NotFound(_("Action inconnue."))
    key = f"bucket{request.POST.get('bucket')}" if action == "bucket" else action
    form = forms.get(key)
    if form is None:
        raise Forbidden(_("Ce formulaire ne vous est pas ouvert."))

    def data(form):
        kwargs = cleaned_data(form)
        if action == "bucket":
            kwargs = {"bucket": round_.buckets.get(pk=request.POST.get("bucket")), **kwargs}
        elif action in ("allocation", "settings", "contributors", "matching"):
            kwargs = {"round_": round_, **kwargs}
        return kwargs

    return submit(request, form, COFUNDING_SERVICES[action], **saved, data=data, actor=user)


@portal_login_required
@portal_errors
def cofunding(request, pk):
    """Funders declare their envelope for the round, spread it over the commons and move
    it; the buyer sets the round's rules, grants the contributors an envelope and records
    subsidies; the buyer and each commons' working group edit its bucket."""
    challenge = queries.access_challenge(user=request.user, pk=pk)
    try:
        round_ = queries.cofunding_round_of(challenge)
    except NotFound:
        round_ = None
    funders = list(queries.funders_for(request.user, challenge))
    is_buyer = queries.is_buyer_staff(request.user, challenge)
    # Who may offer matching funds: the user's funders, and the buyer for its agents.
    matcher_ids = [
        f.pk for f in funders if f.kind == OrganisationKind.FUNDER or f.pk == challenge.buyer_id
    ]
    if is_buyer:
        matcher_ids.append(challenge.buyer_id)
    editable = set()
    if round_ is not None:
        editable = {
            bucket.pk
            for bucket in round_.buckets.all()
            if queries.bucket_editable_by(request.user, bucket)
        }
    if not (funders or is_buyer or editable):
        raise Forbidden(_("Seuls les financeurs et l'acheteur cofinancent les communs."))
    context = {"challenge": challenge, "round": round_, "status": 200}
    if round_ is not None:
        funder_qs = queries.organisations_list().filter(pk__in=[f.pk for f in funders])
        action = request.POST.get("action") if request.method == "POST" else None
        matchers = queries.organisations_list().filter(pk__in=matcher_ids) if matcher_ids else None
        forms = _cofunding_forms(
            request, round_, funder_qs if funders else None, is_buyer, editable, action, matchers
        )
        status = 200
        if action:
            done, status = _cofunding_call(request, round_, funder_qs, forms, action)
            if done:
                return done
        funder_ids = {f.pk for f in funders}
        buckets = list(round_.buckets.all())
        matched = queries.round_matching(round_)
        for bucket in buckets:
            bucket.edit_form = forms.get(f"bucket{bucket.pk}")
            bucket.matched = matched.per_bucket.get(bucket.pk, Decimal(0))
            bucket.to_minimum, bucket.room = queries.bucket_progress(round_, bucket, bucket.matched)
            for pledge in bucket.pledges.all():
                pledge.matched = matched.per_pledge.get(pledge.pk, Decimal(0))
        offers = list(round_.matching_offers.all())
        for offer in offers:
            offer.matched = (
                offer.honoured
                if offer.status == MatchingOffer.Status.HONOURED
                else matched.per_offer.get(offer.pk, Decimal(0))
            )
            offer.remaining = offer.cap - offer.matched
            offer.mine = offer.matcher_id in matcher_ids
        allocations = [a for a in round_.allocations.all() if a.funder_id in funder_ids]
        for allocation in allocations:
            allocation.remaining = allocation.amount - allocation.pledged
        context.update(
            {
                "buckets": buckets,
                "allocations": allocations,
                "forms": forms,
                "allocation_form": forms.get("allocation"),
                "pledge_form": forms.get("pledge"),
                "withdraw_form": forms["withdraw"],
                "offers": offers,
                "funder_ids": funder_ids,
                "is_buyer": is_buyer,
                "status": status,
            }
        )
    return render(request, "portal/space/cofunding.html", context, status=context["status"])


@portal_login_required
def my_cofunding(request):
    """« Mes cofinancements »: my organisations' envelopes and pledges in every round,
    past ones included, with what each envelope still has to pledge."""
    allocations = list(queries.cofunding_of(request.user))
    for allocation in allocations:
        pledges = list(allocation.pledges.all())
        allocation.lines = pledges
        allocation.active = sum(
            (p.amount for p in pledges if p.status == Pledge.Status.ACTIVE), Decimal(0)
        )
        allocation.committed = sum(
            (p.amount for p in pledges if p.status == Pledge.Status.COMMITTED), Decimal(0)
        )
        allocation.released = sum(
            (p.amount for p in pledges if p.status == Pledge.Status.RELEASED), Decimal(0)
        )
        allocation.is_open = allocation.round.closed_at is None
        allocation.remaining = (
            allocation.amount - allocation.active if allocation.is_open else Decimal(0)
        )
    offers = list(queries.matching_offers_of(request.user))
    return render(
        request,
        "portal/space/my_cofunding.html",
        {"allocations": allocations, "offers": offers},
    )
