"""A working group's sealed proposal and its attachments."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kernel.receipt import received_at
from portal.errors import portal_errors
from portal.forms import AttachmentForm, GroupementForm, ProposalForm
from portal.views.common import portal_login_required, submit
from procurement import queries
from procurement.models import Framing, ProposalStatus
from procurement.services import proposals as proposal_services


@portal_login_required
@portal_errors
def proposal(request, pk):
    """The members of a working group submit (or replace) its sealed proposal, through
    ``proposal_submit`` as the API's; a groupement's coordinator declares its form and
    each member's share of the price with it."""
    challenge = queries.access_challenge(user=request.user, pk=pk)
    groups = list(
        queries.working_groups_of(challenge)
        .filter(members__organisation__in=queries.org_ids(request.user))
        .distinct()
    )
    existing = {p.group_id: p for p in queries.proposals_visible_to(request.user, challenge)}
    sections = []
    status = 200
    url = reverse("portal:proposal", args=[pk])
    # Under a marché public a groupement states its form and split with the proposal:
    # the acte d'engagement of its lot prints them.
    is_contract = challenge.framing == Framing.PUBLIC_CONTRACT
    for group in groups:
        members = [m.organisation for m in group.members.all()]
        current = existing.get(group.pk)
        initial = ProposalForm.initial_for(current) if current else {}
        bound = request.method == "POST" and request.POST.get("group") == str(group.pk)
        attaching = bound and request.POST.get("action") == "attach"
        form = ProposalForm(
            request.POST if bound and not attaching else None,
            prefix=f"g{group.pk}",
            initial=initial,
            members=members if is_contract else (),
        )
        attach_form = AttachmentForm(
            request.POST if attaching else None,
            request.FILES if attaching else None,
            prefix=f"a{group.pk}",
        )
        # Once retained, and until the signature, the coordinator settles the
        # groupement's form and split if they are missing or wrong (article R2152-13).
        settling_open = (
            is_contract
            and len(members) > 1
            and current is not None
            and current.status in (ProposalStatus.SELECTED, ProposalStatus.AWARDED)
            and challenge.awarded_at is None
        )
        settling = bound and request.POST.get("action") == "groupement"
        groupement_form = (
            GroupementForm(
                request.POST if settling else None,
                prefix=f"m{group.pk}",
                initial=GroupementForm.initial_for(current),
                members=members,
            )
            if settling_open
            else None
        )
        done = None
        if settling and groupement_form is not None:
            done, status = submit(
                request,
                groupement_form,
                proposal_services.proposal_groupement_settle,
                success_message=_(
                    "La forme du groupement et la répartition du prix sont mises au point."
                ),
                success_url=url,
                data=GroupementForm.service_kwargs,
                actor=request.user,
                proposal=current,
            )
        elif attaching and current is not None:
            done, status = submit(
                request,
                attach_form,
                proposal_services.proposal_attachment_add,
                success_message=_("La pièce jointe est ajoutée."),
                success_url=url,
                data=AttachmentForm.service_kwargs,
                actor=request.user,
                proposal=current,
                received_at=received_at(request),
            )
        elif bound and not attaching and not settling:
            done, status = submit(
                request,
                form,
                proposal_services.proposal_submit,
                success_message=_("Votre proposition est déposée sous pli scellé."),
                success_url=url,
                data=ProposalForm.service_kwargs,
                actor=request.user,
                group=group,
                received_at=received_at(request),
            )
        if done:
            return done
        sections.append(
            {
                "group": group,
                "proposal": current,
                "form": form,
                "attach_form": attach_form,
                "groupement_form": groupement_form,
            }
        )
    return render(
        request,
        "portal/space/proposal.html",
        {"challenge": challenge, "deadline": challenge.proposal_deadline, "sections": sections},
        status=status,
    )
