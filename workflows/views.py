from django.http import HttpResponseRedirect
from django.urls import reverse


def task_redirect(request, *args, task_pk=None, **kwargs):
    """Human tasks are done in the portal (or through the task API), not viewflow's forms."""
    if task_pk is None:
        return HttpResponseRedirect(reverse("portal:home"))
    return HttpResponseRedirect(reverse("portal:task", args=[task_pk]))
