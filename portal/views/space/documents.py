"""The buyer's tender pack: its generation and the newest version of each piece."""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kernel.errors import Forbidden
from portal.errors import portal_errors
from portal.forms import PortalForm
from portal.pack_gaps import pack_gaps
from portal.views.common import portal_login_required, submit
from procurement import queries
from procurement.models import DocumentStatus
from procurement.services import documents as document_services
from workflows import documents as workflow_documents


def _documents_context(request, pk) -> dict:
    challenge = queries.access_challenge(user=request.user, pk=pk)
    if not queries.is_buyer_staff(request.user, challenge):
        raise Forbidden(_("Le dossier de consultation est réservé aux agents de l'acheteur."))
    job = challenge.document_jobs.order_by("-created_at", "-id").first()
    return {
        "challenge": challenge,
        "job": job,
        "documents": queries.latest_documents(challenge),
        "can_request": challenge.status in document_services.DOCUMENT_STAGES,
    }


@portal_login_required
@portal_errors
def documents(request, pk):
    """The tender pack: the latest generation's progress (updated in the page by
    ``portal.js`` from ``documents_status``), what keeps award pieces from being drawn
    up with a link to where it is entered (``portal.pack_gaps``), and the newest
    version of each piece."""
    context = _documents_context(request, pk)
    form = PortalForm()
    status = 200
    if request.method == "POST":
        done, status = submit(
            request,
            form,
            workflow_documents.documents_request,
            success_message=_("La génération du dossier est lancée."),
            success_url=reverse("portal:documents", args=[pk]),
            challenge=context["challenge"],
            actor=request.user,
        )
        if done:
            return done
    context["form"] = form
    context["pack_gaps"] = pack_gaps(request.user, context["challenge"])
    context["labels"] = {
        "job": _("Génération n° %(n)s"),
        "empty": _("Aucune pièce pour l'instant."),
        "uploaded": _("déposée"),
        "size": _("%(kb)s ko"),
    }
    return render(request, "portal/space/documents.html", context, status=status)


def _job_data(job) -> dict | None:
    if job is None:
        return None
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": str(DocumentStatus(job.status).label),
        "done": job.done,
        "total": job.total,
        # The plural form is the server's to choose, in the page's language.
        "progress_label": ngettext(
            "%(done)s pièce sur %(total)s", "%(done)s pièces sur %(total)s", job.done
        )
        % {"done": job.done, "total": job.total},
        "error": job.error,
        "finished": job.status != DocumentStatus.PENDING,
    }


@portal_login_required
@portal_errors
def documents_status(request, pk):
    """The documents page's polling: the latest job and the newest pieces, as JSON."""
    context = _documents_context(request, pk)
    challenge = context["challenge"]
    return JsonResponse(
        {
            "job": _job_data(context["job"]),
            "documents": [
                {
                    "id": document.pk,
                    "title": document.title,
                    "version": document.version,
                    "size": document.size,
                    "uploaded": document.uploaded,
                    "url": reverse("document-download", args=[challenge.pk, document.pk]),
                }
                for document in context["documents"]
            ],
        }
    )
