"""Forms of the ways in: an organisation's sign-up, an invitation accepted with a new
account, a colleague invited, a member's roles; the password reset with Django's own
forms in the DSFR markup. Their cleaned data are the keyword arguments of one service
each (``procurement.services.accounts``), which checks the rules."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from portal.forms.base import PortalForm
from procurement.models import OrganisationKind, Role
from procurement.services.accounts import SIGNUP_KINDS


class PasswordPair(PortalForm):
    """A password typed twice (the validators run in the service)."""

    password = forms.CharField(
        label=_("Mot de passe"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("8 caractères au moins."),
        strip=False,
    )
    password_again = forms.CharField(
        label=_("Confirmation du mot de passe"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("Les deux mots de passe diffèrent."))
        return data


class PersonFields(PasswordPair):
    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    username = forms.CharField(
        label=_("Identifiant de connexion"),
        max_length=150,
        help_text=_("Lettres, chiffres et @ . + - _ seulement."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    ACCOUNT_FIELDS = ("first_name", "last_name", "username", "password")
    field_order = ["first_name", "last_name", "username", "password", "password_again"]

    def account(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.ACCOUNT_FIELDS}


class SignupForm(PersonFields):
    """« Créer un compte »: the organisation, then its first member (its administrator)."""

    name = forms.CharField(label=_("Nom de l'organisation"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Vous êtes"),
        widget=forms.RadioSelect,
        choices=[(kind.value, kind.label) for kind in SIGNUP_KINDS],
        help_text=_(
            "Les acheteurs publics se connectent avec ProConnect ; la Chambre des communs "
            "est inscrite par l'opérateur du service."
        ),
    )
    identifier = forms.CharField(
        label=_("SIRET, SIREN ou numéro RNA"),
        max_length=20,
        help_text=_(
            "SIRET (14 chiffres), SIREN (9 chiffres) ou, pour une association sans SIREN, "
            "numéro RNA (W suivi de 9 caractères)."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Adresse électronique"),
        help_text=_("Un lien vous y sera envoyé pour activer le compte."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    field_order = ["name", "kind", "identifier", *PersonFields.field_order[:3], "email"]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "kind": OrganisationKind(data["kind"]),
            "identifier": data["identifier"],
            "email": data["email"],
            **self.account(),
        }


class InvitationAcceptForm(PersonFields):
    """An invited person without an account creates it (the invited address is theirs)."""


class InviteForm(PortalForm):
    email = forms.EmailField(
        label=_("Adresse électronique du collègue"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Rôle"))

    def __init__(self, data=None, *, roles, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["role"].choices = [(role, Role(role).label) for role in roles]


class RolesForm(PortalForm):
    roles = forms.MultipleChoiceField(label=_("Rôles"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, data=None, *, roles, prefix=None, **kwargs):
        super().__init__(data, prefix=prefix, **kwargs)
        self.fields["roles"].choices = [(role, Role(role).label) for role in roles]


class PasswordResetForm(auth_forms.PasswordResetForm, PortalForm):
    """Django's form (a link e-mailed to an active account's address; nothing said about
    an unknown address), in the DSFR markup."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Adresse électronique")


class SetPasswordForm(auth_forms.SetPasswordForm, PortalForm):
    """Django's form (the new password twice, checked by the validators)."""
