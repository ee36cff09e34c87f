"""The catalogue of commons (public) and the Chambre's decisions on it."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kernel.errors import NotFound
from procurement.models import CatalogueDecision, Commons


def commons_catalogue() -> QuerySet[Commons]:
    return Commons.objects.select_related("host").order_by("name")


def commons_search(*, q: str = "", category: str = "", licence: str = "", referenced: str = ""):
    """The catalogue filtered as its page asks: words in the name or the description,
    a category, a licence, referenced by the Chambre (``"1"``) or not (``"0"``)."""
    qs = commons_catalogue()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q))
    if category:
        qs = qs.filter(category=category)
    if licence:
        qs = qs.filter(licence=licence)
    if referenced in ("0", "1"):
        qs = qs.filter(referenced=referenced == "1")
    return qs


def catalogue_licences() -> list[str]:
    return list(
        commons_catalogue()
        .exclude(licence="")
        .order_by("licence")
        .values_list("licence", flat=True)
        .distinct()
    )


def access_commons(*, pk=None, slug=None) -> Commons:
    """One commons of the catalogue (everyone may read it), by id or slug, else 404."""
    lookup = {"pk": pk} if slug is None else {"slug": slug}
    try:
        return commons_catalogue().get(**lookup)
    except (Commons.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Commun introuvable."), code="commons_not_found") from None


def catalogue_decisions(commons=None) -> QuerySet[CatalogueDecision]:
    qs = CatalogueDecision.objects.select_related("commons", "chambre", "decided_by")
    if commons is not None:
        qs = qs.filter(commons=commons)
    return qs.order_by("-decided_at", "-id")
