"""Recognition after the fact: the public contribution record of a commons and of an
organisation — who took part, in which ways, what they received and gave back — every
component in the table, ordered as the page says (``calculations.involvement_order``)."""

from django.shortcuts import render

from portal.errors import portal_errors
from procurement import queries


@portal_errors
def commons_contributions(request, slug):
    """The organisations that took part in a commons, most involved first."""
    commons = queries.access_commons(slug=slug)
    rows = queries.contribution_record_of_commons(commons)
    return render(
        request,
        "portal/contributions.html",
        {"commons": commons, "rows": rows, "totals": queries.record_totals(rows)},
    )


@portal_errors
def organisation_contributions(request, pk):
    """The commons an organisation took part in."""
    organisation = queries.access_public_organisation(pk=pk)
    rows = queries.contribution_record_of_organisation(organisation)
    return render(
        request,
        "portal/contributions.html",
        {"organisation": organisation, "rows": rows, "totals": queries.record_totals(rows)},
    )
