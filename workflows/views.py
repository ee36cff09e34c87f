from django.http import HttpResponseRedirect


def task_redirect(request, *args, task_pk=None, **kwargs):
    """Human tasks are done in the portal or through the task API, not viewflow's forms."""
    return HttpResponseRedirect(f"/api/v1/tasks/{task_pk}/" if task_pk else "/api/v1/tasks/")
