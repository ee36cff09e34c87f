from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """An app of its own so that its translations and static files are found."""

    name = "portal"
    label = "portal"
    verbose_name = _("Portail")
