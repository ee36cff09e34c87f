"""The buyer changes its published call (``workflows.services.call_amend``): the
consultation documents are generated again, the positioned partners and the
subscribers are told, and a substantial change moves the proposal deadline."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from portal.errors import portal_errors
from portal.forms import AmendmentForm
from portal.views.common import portal_login_required, submit
from procurement import queries
from procurement.services.amendments import require_amendable
from workflows import services as process_services


@portal_login_required
@portal_errors
def amendment(request, pk):
    """The change form of a call the caller may see (else 404), for its buyer's agents
    while it takes proposals (``require_amendable``: 403 for anyone else, 409 once the
    stage or the proposal deadline has passed)."""
    challenge = queries.access_challenge(user=request.user, pk=pk)
    require_amendable(challenge=challenge, actor=request.user)
    form = AmendmentForm(
        request.POST if request.method == "POST" else None,
        challenge=challenge,
        lots=queries.lots_of(challenge),
    )
    status = 200
    if request.method == "POST":
        done, status = submit(
            request,
            form,
            process_services.call_amend,
            success_message=lambda amendment: _done(amendment, challenge),
            success_url=reverse("portal:challenge", args=[pk]) + "#modifications",
            data=AmendmentForm.service_kwargs,
            actor=request.user,
            challenge=challenge,
        )
        if done:
            return done
    return render(
        request,
        "portal/space/amendment.html",
        {"challenge": challenge, "form": form, "amendments": challenge.amendments.all()},
        status=status,
    )


def _done(amendment, challenge) -> str:
    message = _(
        "La modification est publiée : le dossier de consultation est généré à nouveau et "
        "les partenaires positionnés et les abonnés sont prévenus."
    )
    if amendment.substantial:
        deadline = formats.date_format(
            timezone.localtime(challenge.proposal_deadline), "DATETIME_FORMAT"
        )
        message += " " + _("La date limite des propositions est reportée au %(date)s.") % {
            "date": deadline
        }
    return message
