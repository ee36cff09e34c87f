"""The pages every public service owes its users, linked from every page's footer: the
mentions légales (loi n° 2004-575 du 21 juin 2004, article 6), the personal data page
(RGPD, articles 13 and 14), the accessibility statement (loi n° 2005-102, article 47;
RGAA 4.1) and how to reach the operator or appeal (Défenseur des droits). Their facts —
who operates, who hosts, which date, which status — are settings (``OPERATOR_*``,
``HOSTING_*``, ``ACCESSIBILITY_*``), so that each operator states its own."""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


def _operator() -> dict:
    return {
        "name": settings.OPERATOR_NAME,
        "url": settings.OPERATOR_URL,
        "address": settings.OPERATOR_ADDRESS,
        "email": settings.OPERATOR_EMAIL,
        "phone": settings.OPERATOR_PHONE,
        "siret": settings.OPERATOR_SIRET,
        "director": settings.PUBLICATION_DIRECTOR,
        "dpo_email": settings.DPO_EMAIL,
        "host": settings.HOSTING_PROVIDER,
        "host_address": settings.HOSTING_ADDRESS,
    }


def legal_notice(request):
    return render(
        request,
        "portal/legal/notice.html",
        {"title": _("Mentions légales"), "operator": _operator()},
    )


def privacy(request):
    lockout_minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "portal/legal/privacy.html",
        {
            "title": _("Données personnelles"),
            "operator": _operator(),
            "lockout_minutes": lockout_minutes,
            "token_hours": settings.API_TOKEN_TTL_HOURS,
            "session_hours": settings.SESSION_COOKIE_AGE / 3600,
        },
    )


def accessibility(request):
    return render(
        request,
        "portal/accessibility.html",
        {
            "title": _("Déclaration d'accessibilité"),
            "operator": _operator(),
            "statement_date": settings.ACCESSIBILITY_STATEMENT_DATE,
            "audit_rate": settings.ACCESSIBILITY_AUDIT_RATE,
        },
    )


def contact(request):
    return render(
        request,
        "portal/legal/contact.html",
        {"title": _("Contact et recours"), "operator": _operator()},
    )
