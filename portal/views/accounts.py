"""The ways in: « Créer un compte » (an organisation's sign-up and its e-mail
verification), an invitation's link, the password reset (Django's views, French
templates)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.errors import ApplicationError
from portal.errors import portal_errors
from portal.forms.accounts import (
    InvitationAcceptForm,
    PasswordResetForm,
    SetPasswordForm,
    SignupForm,
)
from portal.views.common import call_service
from procurement.services import accounts

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def signup(request):
    """« Créer un compte » for a partner, a funder or a host: the organisation and its
    administrator (``organisation_register``); the account waits for its address to be
    verified."""
    form = SignupForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            user, status = call_service(
                form, accounts.organisation_register, **form.service_kwargs()
            )
            if status == 200:
                return render(request, "portal/accounts/signup_sent.html", {"email": user.email})
    return render(request, "portal/accounts/signup.html", {"form": form}, status=status)


def verify_email(request, token):
    """The link of the verification e-mail: the account is activated and signed in."""
    try:
        user = accounts.account_verify(token=token)
    except ApplicationError as exc:
        return render(
            request,
            "portal/accounts/link_refused.html",
            {"message": exc.message, "title": _("Vérification de l'adresse")},
            status=exc.status_code,
        )
    login(request, user, backend=MODEL_BACKEND)
    messages.success(request, _("Votre adresse est vérifiée : bienvenue !"))
    return redirect("portal:inbox")


@portal_errors
def invitation(request, token):
    """An invitation's link: a signed-in person whose address is the invited one
    accepts it in one click; someone without an account creates it here; the others are
    told to sign in with the invited address."""
    try:
        invite = accounts.invitation_access(token=token)
    except ApplicationError as exc:
        return render(
            request,
            "portal/accounts/link_refused.html",
            {"message": exc.message, "title": _("Invitation")},
            status=exc.status_code,
        )
    signed_in = request.user.is_authenticated
    form = None if signed_in else InvitationAcceptForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if signed_in:
            user = accounts.invitation_accept(token=token, user=request.user)
        else:
            status = 400
            user = None
            if form.is_valid():
                user, status = call_service(
                    form, accounts.invitation_accept, token=token, account=form.account()
                )
            if user is not None:
                login(request, user, backend=MODEL_BACKEND)
        if user is not None:
            messages.success(
                request,
                _("Vous avez rejoint « %(name)s ».") % {"name": invite.organisation.name},
            )
            return redirect("portal:inbox")
    return render(
        request,
        "portal/accounts/invitation.html",
        {
            "invitation": invite,
            "form": form,
            "other_account": signed_in and request.user.email.lower() != invite.email.lower(),
            "login_url": reverse("portal:login") + "?next=" + request.path,
        },
        status=status,
    )


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "portal/accounts/password_reset.html"
    form_class = PasswordResetForm
    email_template_name = "emails/password_reset.txt"
    subject_template_name = "emails/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password_reset_done")
    extra_context = {"title": gettext_lazy("Mot de passe oublié")}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "portal/accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/accounts/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("portal:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/accounts/password_reset_complete.html"
