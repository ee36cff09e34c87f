"""The Django admin: what the service's administrators keep and no agent changes through
the portal or the API, first of all a buyer's category (a local authority or the State),
which decides its European thresholds and so the procedure of its calls
(``procurement.procedures``)."""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "buyer_category", "siren"]
    list_filter = ["kind", "buyer_category", "ess_status"]
    search_fields = ["name", "siren", "siret"]
    # A website typed without its scheme is read as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "kind", "legal_form", "siren", "siret", "rna"]}),
        (_("Contact"), {"fields": ["address", "website", "contact_email", "recourse_court"]}),
        (
            _("Titulaire d'un marché"),
            {
                "fields": [
                    "representative_name",
                    "representative_capacity",
                    "vat_regime",
                    "ess_status",
                ],
                "description": _(
                    "Avec le SIRET et l'adresse, l'identité qu'un acte d'engagement exige ; "
                    "sans elle, l'acte d'engagement du titulaire n'est pas établi."
                ),
            },
        ),
        (
            _("Acheteur"),
            {
                "fields": ["buyer_category", "commons_min_share"],
                "description": _(
                    "La catégorie d'acheteur fixe le seuil européen des fournitures et "
                    "services : elle décide de la procédure de chaque appel."
                ),
            },
        ),
        (_("Chambre des communs"), {"fields": ["opinion_delay_days"]}),
    ]
