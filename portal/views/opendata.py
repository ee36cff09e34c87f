"""The open data of the signed contracts: the public page (what is published, under
which licence, where: the API feeds and the daily files), the daily files themselves,
and the buyer's page for the données essentielles it alone knows."""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kernel.errors import Forbidden
from portal.errors import portal_errors
from portal.forms.essential_data import EssentialDataForm
from portal.views.common import cleaned_data, portal_login_required, submit
from procurement import queries
from procurement.models import ProposalStatus
from procurement.opendata import decp
from procurement.services.award_rules import essential_data_problems
from procurement.services.essential_data import CLOSED, FIELDS, challenge_essential_data_set
from workflows import opendata
from workflows.opendata.export import DIRECTORY as EXPORT_DIRECTORY

LATEST = 10


def opendata_page(request):
    """Anyone reads what is published and how: the licence (Licence Ouverte 2.0), the
    API feeds, the files of the last daily export, and the latest signed contracts."""
    keys = list(
        opendata.published_calls()
        .order_by("-awarded_at", "-pk")
        .values_list("pk", flat=True)[:LATEST]
    )
    calls = sorted(opendata.call_contexts(keys), key=lambda c: c.signed_at, reverse=True)
    contracts = [
        {
            "call": call,
            "contract": contract,
            "lot": call.lot(contract.lot),
            "id": decp.contract_id(call, contract.lot),
        }
        for call in calls
        for contract in call.contracts
    ]
    feeds = [
        (_("Données essentielles (DECP 2.0.3)"), reverse("opendata-decp")),
        (_("Releases OCDS 1.1"), reverse("opendata-releases")),
        (_("Records OCDS 1.1"), reverse("opendata-records")),
    ]
    return render(
        request,
        "portal/opendata.html",
        {
            "contracts": contracts,
            "feeds": feeds,
            "export": opendata.latest_export(),
            "licence_url": opendata.LICENCE_URL,
            "licence_name": opendata.LICENCE_NAME,
        },
    )


def opendata_file(request, name):
    """A file of the last daily export, downloaded as it was written."""
    names = {fmt.filename for fmt in opendata.FORMATS.values()}
    if name not in names:
        raise Http404(name)
    stored = f"{EXPORT_DIRECTORY}/{name}"
    if not default_storage.exists(stored):
        raise Http404(name)
    return FileResponse(
        default_storage.open(stored, "rb"),
        as_attachment=True,
        filename=name,
        content_type="application/json",
    )


@portal_login_required
@portal_errors
def essential_data(request, pk):
    """The buyer's agents give or correct the CPV code, the place of execution and
    whether the contract is innovative (``challenge_essential_data_set``, as the API's
    ``PATCH …/essential-data/``) until the signature; the page says what the award
    still lacks (``award_rules.essential_data_problems``) and where it is given."""
    challenge = queries.access_challenge(user=request.user, pk=pk)
    if not queries.is_buyer_staff(request.user, challenge):
        raise Forbidden(_("Seul un agent de l'acheteur renseigne les données essentielles."))
    is_open = challenge.status not in CLOSED
    url = reverse("portal:essential_data", args=[pk])
    status = 200
    form = EssentialDataForm(
        request.POST if request.method == "POST" else None,
        initial={name: getattr(challenge, name) for name in FIELDS},
    )
    if request.method == "POST":
        done, status = submit(
            request,
            form,
            challenge_essential_data_set,
            success_message=_("Les données essentielles sont enregistrées."),
            success_url=url,
            data=cleaned_data,
            actor=request.user,
            challenge=challenge,
        )
        if done:
            return done
    retained = challenge.proposals.filter(
        status__in=(ProposalStatus.SELECTED, ProposalStatus.AWARDED)
    )
    problems = essential_data_problems(challenge, list(retained.values_list("pk", flat=True)))
    return render(
        request,
        "portal/space/essential_data.html",
        {
            "challenge": challenge,
            "form": form,
            "is_open": is_open,
            "problems": [m for messages in problems.values() for m in messages],
            "organisation_url": reverse("portal:organisation", args=[challenge.buyer_id]),
        },
        status=status,
    )
