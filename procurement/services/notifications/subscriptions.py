"""Subscriptions to a buyer's calls (or to every call)."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError
from procurement.models import MailPreference, Organisation, OrganisationKind, Subscription
from procurement.services.common import require_member


@transaction.atomic
def subscription_set(
    *, actor, subscribed: bool, buyer: Organisation | None = None, organisation=None
) -> Subscription | None:
    """Subscribe (or unsubscribe) the actor, or one of its organisations, to the calls of
    ``buyer`` (of every buyer when ``buyer`` is None). Idempotent both ways. A personal
    preference, not an event of a procedure: not in the audit trail."""
    if buyer is not None and buyer.kind != OrganisationKind.BUYER:
        raise ApplicationError(
            _("Cette organisation ne publie pas d'appels."),
            code="not_a_buyer",
            extra={"fields": {"buyer": [_("Choisissez un acheteur public.")]}},
        )
    if organisation is not None:
        require_member(
            actor,
            organisation,
            message=_("Seul un membre de l'organisation gère ses abonnements."),
        )
        subscriber = {"organisation": organisation, "user": None}
    else:
        subscriber = {"user": actor, "organisation": None}
    current = Subscription.objects.filter(buyer=buyer, **subscriber)
    if not subscribed:
        current.delete()
        return None
    subscription = current.first()
    if subscription is None:
        subscription = Subscription.objects.create(buyer=buyer, created_by=actor, **subscriber)
    return subscription


@transaction.atomic
def mail_language_set(*, actor, language: str) -> MailPreference:
    """The language the actor's mails are written in (French or English). A personal
    preference: not in the audit trail."""
    if language not in dict(settings.LANGUAGES):
        raise ApplicationError(
            _("Langue inconnue."),
            code="unknown_language",
            extra={"fields": {"language": [_("Choisissez le français ou l'anglais.")]}},
        )
    preference, _created = MailPreference.objects.update_or_create(
        user=actor, defaults={"language": language}
    )
    return preference
