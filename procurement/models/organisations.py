from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from procurement.validators import validate_rna, validate_siren, validate_siret


class OrganisationKind(models.TextChoices):
    BUYER = "buyer", _("Acheteur public")
    PARTNER = "partner", _("Partenaire")
    FUNDER = "funder", _("Financeur")
    HOST = "host", _("Structure hébergeuse")
    CHAMBRE = "chambre", _("Chambre des communs")


class BuyerCategory(models.TextChoices):
    """Who buys (``procurement.procedures.BuyerCategory``): the thresholds differ."""

    LOCAL = "local", _("Collectivité territoriale ou établissement local")
    STATE = "state", _("État ou établissement public de l'État")


class VatRegime(models.TextChoices):
    """How the organisation invoices VAT: the acte d'engagement prints its price with it.

    A business under the franchise en base (article 293 B du CGI) or an association
    exempt as a non-profit (article 261, 7-1° du CGI) charges no VAT: its price TTC is
    its price HT, with the legal mention instead of a rate."""

    STANDARD = "standard", _("Assujetti, taux normal (20 %)")
    FRANCHISE = "franchise", _("Franchise en base de TVA (article 293 B du CGI)")
    EXEMPT_ASSOCIATION = (
        "exempt_association",
        _("Association non assujettie (article 261, 7-1° du CGI)"),
    )


class EssStatus(models.TextChoices):
    """An organisation's standing in the social and solidarity economy, as it declares it.

    An entreprise de l'ESS meets the conditions of article 1er of the loi n° 2014-856 du
    31 juillet 2014; the agrément « entreprise solidaire d'utilité sociale » (article
    L3332-17-1 du code du travail) is granted only to such enterprises. Both may answer a
    lot reserved under article L2113-15 du code de la commande publique."""

    NONE = "none", _("Hors économie sociale et solidaire")
    ESS = "ess", _("Entreprise de l'ESS (article 1er de la loi n° 2014-856 du 31 juillet 2014)")
    ESUS = "esus", _("Agrément ESUS (article L3332-17-1 du code du travail)")


class InclusionStatus(models.TextChoices):
    """An organisation's standing as a structure employing disabled or disadvantaged
    workers, as its administrators declare it: it opens the lots reserved under articles
    L2113-12 (entreprises adaptées, article L5213-13 du code du travail; établissements
    et services d'aide par le travail, article L344-2 du code de l'action sociale et des
    familles) and L2113-13 (structures d'insertion par l'activité économique, article
    L5132-4 du code du travail) du code de la commande publique. Either reservation also
    needs at least 50 % of such workers (article R2113-7): ``Organisation.inclusion_share``."""

    NONE = "none", _("Ni structure du handicap ni structure d'insertion")
    EA = "ea", _("Entreprise adaptée (article L5213-13 du code du travail)")
    ESAT = (
        "esat",
        _(
            "Établissement ou service d'aide par le travail (article L344-2 du code de l'action "
            "sociale et des familles)"
        ),
    )
    SIAE = (
        "siae",
        _("Structure d'insertion par l'activité économique (article L5132-4 du code du travail)"),
    )


# Article L2113-12: the structures of disabled workers; article L2113-13: of insertion.
DISABILITY_STATUSES = (InclusionStatus.EA, InclusionStatus.ESAT)
INSERTION_STATUSES = (InclusionStatus.SIAE,)


class Organisation(models.Model):
    name = models.CharField(_("nom"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=OrganisationKind.choices)
    legal_form = models.CharField(_("forme juridique"), max_length=100, blank=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[validate_siren])
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    rna = models.CharField(_("numéro RNA"), max_length=10, blank=True, validators=[validate_rna])
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    # Who signs for the organisation and in what capacity: with the SIRET and the
    # address, the titulaire's identity an acte d'engagement cannot be drawn up without.
    representative_name = models.CharField(_("représentant légal"), max_length=200, blank=True)
    representative_capacity = models.CharField(
        _("qualité du représentant"), max_length=120, blank=True
    )
    vat_regime = models.CharField(
        _("régime de TVA"), max_length=20, choices=VatRegime.choices, default=VatRegime.STANDARD
    )
    website = models.URLField(_("site web"), blank=True)
    # Declared by the organisation's administrators: it opens the lots reserved to the
    # social and solidarity economy (article L2113-15 du code de la commande publique).
    ess_status = models.CharField(
        _("statut ESS"), max_length=10, choices=EssStatus.choices, default=EssStatus.NONE
    )
    # Declared by its administrators with the share of disabled workers (EA, ESAT) or of
    # disadvantaged workers (SIAE) among its workforce, in percent: the reservations of
    # articles L2113-12 and L2113-13 need at least 50 % (article R2113-7).
    inclusion_status = models.CharField(
        _("structure du handicap ou de l'insertion"),
        max_length=10,
        choices=InclusionStatus.choices,
        default=InclusionStatus.NONE,
    )
    inclusion_share = models.DecimalField(
        _("part des travailleurs handicapés ou défavorisés (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    # A buyer's contact for the candidates and its court for the recourse, printed in the
    # règlement de la consultation; without them the RC names the buyer's seat's court.
    contact_email = models.EmailField(_("courriel de contact"), blank=True)
    recourse_court = models.CharField(
        _("tribunal administratif compétent"), max_length=200, blank=True
    )
    # A buyer's minimum weight of the commons criteria in its grids (percent).
    commons_min_share = models.DecimalField(
        _("part minimale des critères communs (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    # A buyer's category: its European threshold for supplies and services depends on it.
    buyer_category = models.CharField(
        _("catégorie d'acheteur"),
        max_length=10,
        choices=BuyerCategory.choices,
        default=BuyerCategory.LOCAL,
    )
    # A Chambre's delay to give an opinion, in days.
    opinion_delay_days = models.PositiveSmallIntegerField(
        _("délai d'avis (jours)"), default=15, validators=[MinValueValidator(1)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(vat_regime__in=VatRegime.values), name="organisation_vat_regime_valid"
            ),
            models.CheckConstraint(
                condition=Q(ess_status__in=EssStatus.values), name="organisation_ess_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(inclusion_status__in=InclusionStatus.values),
                name="organisation_inclusion_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(inclusion_share__isnull=True)
                | (Q(inclusion_share__gte=0) & Q(inclusion_share__lte=100)),
                name="organisation_inclusion_share_range",
            ),
            models.CheckConstraint(
                condition=Q(siret="") | Q(siren="") | Q(siret__startswith=models.F("siren")),
                name="organisation_siret_extends_siren",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrateur")
    MEMBER = "member", _("Membre")
    EVALUATOR = "evaluator", _("Évaluateur")
    # A buyer's resource person, neutral among the candidates, whom it designates to
    # facilitate a call's working groups (« animateur », seed 004).
    FACILITATOR = "facilitator", _("Animateur (personne ressource)")
    # The Chambre's groups and its modérateur.
    MODERATOR = "moderator", _("Modérateur")
    PORTEURS = "porteurs", _("Groupe des porteurs")
    ENGAGEMENT = "engagement", _("Groupe engagement")
    CONTRIBUTEURS = "contributeurs", _("Groupe des contributeurs")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        verbose_name = _("adhésion")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.role})"


class Invitation(models.Model):
    """A colleague invited by an organisation's administrator: the link sent to
    ``email`` (signed, expiring, ``procurement.services.accounts``) is good once, and
    only for that address; ``accepted_at`` records its use."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("courriel"))
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="invitation_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation} ({self.role})"
