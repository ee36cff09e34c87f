"""The buyer's designation of the structure hébergeuse of each commons its call asks for."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kernel.errors import Forbidden, NotFound
from portal.errors import portal_errors
from portal.forms.organisations import HostForm, HostingFeeForm
from portal.views.common import cleaned_data, portal_login_required, submit
from procurement import queries
from procurement.services import hosting as hosting_services


@portal_login_required
@portal_errors
def hosting(request, pk):
    """Each resource of the call with its commons and its structure hébergeuse; for one
    without a host, the buyer's agents choose it among the organisations of that kind
    (``resource_host_designate``, as the API's ``POST …/resources/{id}/host/``) until
    the call is awarded or closed. The funded ones are marked: their cofunding
    convention names the host."""
    challenge = queries.access_challenge(user=request.user, pk=pk)
    if not queries.is_buyer_staff(request.user, challenge):
        raise Forbidden(_("Seul un agent de l'acheteur désigne la structure hébergeuse."))
    resources = list(queries.resources_hosting(challenge))
    funded = queries.funded_resource_ids(challenge)
    hosts = list(queries.host_organisations())
    is_open = challenge.status not in hosting_services.CLOSED
    posted = request.POST.get("resource") if request.method == "POST" else None
    if posted is not None and not any(str(r.pk) == posted for r in resources):
        raise NotFound(_("Ressource introuvable."))
    url = reverse("portal:hosting", args=[pk])
    rows, status = [], 200
    for resource in resources:
        commons = resource.commons
        host = commons.host if commons else None
        bound = posted == str(resource.pk)
        form = None
        fee_posted = bound and request.POST.get("action") == "fee"
        if host is not None and (fee_posted or (is_open and not bound)):
            form = HostingFeeForm(
                request.POST if fee_posted else None,
                initial={"hosting_fee": commons.hosting_fee},
                prefix=f"r{resource.pk}",
            )
            if fee_posted:
                done, status = submit(
                    request,
                    form,
                    hosting_services.commons_hosting_fee_set,
                    success_message=lambda commons: (
                        _("Frais d'hébergement du commun « %(commons)s » : %(fee)s %%.")
                        % {"commons": commons.name, "fee": commons.hosting_fee}
                    ),
                    success_url=f"{url}#ressource-{resource.pk}",
                    data=cleaned_data,
                    actor=request.user,
                    resource=resource,
                )
                if done:
                    return done
        elif bound or (is_open and host is None):
            form = HostForm(request.POST if bound else None, hosts=hosts, prefix=f"r{resource.pk}")
        if bound and not fee_posted:
            done, status = submit(
                request,
                form,
                hosting_services.resource_host_designate,
                success_message=lambda commons: (
                    _("« %(host)s » est la structure hébergeuse du commun « %(commons)s ».")
                    % {"host": commons.host.name, "commons": commons.name}
                ),
                success_url=f"{url}#ressource-{resource.pk}",
                data=cleaned_data,
                actor=request.user,
                resource=resource,
            )
            if done:
                return done
        rows.append(
            {
                "resource": resource,
                "commons": commons,
                "host": host,
                "funded": resource.pk in funded,
                "form": form,
            }
        )
    return render(
        request,
        "portal/space/hosting.html",
        {"challenge": challenge, "rows": rows, "is_open": is_open, "hosts": hosts},
        status=status,
    )
