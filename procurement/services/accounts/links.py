"""The links the service sends by e-mail to prove an address: signed with SECRET_KEY
(``django.core.signing``), dated, each kind under its own salt so that one cannot pass
for another. Their single use is a state of the database the services check (an
account already verified, an invitation already accepted), not the signature's."""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from kernel.errors import NotFound, WrongState

VERIFY_SALT = "accounts.verify-email"
INVITATION_SALT = "accounts.invitation"


def sign(payload: dict, *, salt: str) -> str:
    return signing.dumps(payload, salt=salt)


def unsign(token: str, *, salt: str, max_age: int) -> dict:
    """The payload of a link made by ``sign``; 409 ``link_expired`` past ``max_age``
    seconds, 404 ``link_invalid`` for a link altered or of another kind."""
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise WrongState(
            _("Ce lien a expiré. Demandez-en un nouveau."), code="link_expired"
        ) from exc
    except signing.BadSignature as exc:
        raise NotFound(_("Ce lien n'est pas valide."), code="link_invalid") from exc


def absolute(view: str, *args) -> str:
    """The address of a portal page as the e-mails write it (``SITE_URL``)."""
    return settings.SITE_URL + reverse(view, args=args)


def mail_on_commit(*, to: str, template: str, context: dict) -> None:
    """Send ``emails/<template>.txt`` (its subject in ``<template>_subject.txt``) to
    ``to`` once the transaction commits: a refused write sends nothing. Sent at once
    rather than queued as notifications: these mails go to an address, not yet to an
    account, and a lost one is asked for again (a new link)."""
    from django.core.mail import send_mail

    subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
    body = render_to_string(f"emails/{template}.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [to]))
