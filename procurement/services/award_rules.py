"""The rules a call's award must follow before it is published, shared by the
challenge services and the grid check (``scoring.services.grid_check``):

* an estimate is required: it decides the procedure from the dated thresholds
  (``procurement.procedures``), never guessed from an empty field;
* majority judgment may not decide an award (CE 3 novembre 2014, Commune de
  Belleville-sur-Loire, n° 373362: the method must not neutralise the published
  weights); the aggregation code keeps it for collective choices;
* the lots are ready: each has its estimate (the procedure follows the value of all the
  lots together, article R2121-1, so they add up to the call's estimate), and a call
  not divided into lots says why (articles L2113-10, L2113-11 and R2113-3);
* the données essentielles of each contract are complete before it is awarded
  (``essential_data_problems``: article R2196-1, arrêté of 22 December 2022);
* a MAPA's offers' window has no legal minimum — a "délai raisonnable" — so the
  service refuses a window under a floor set in the settings (``MAPA_MIN_OFFER_DAYS``)
  and warns under a second one (``MAPA_WARN_OFFER_DAYS``).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kernel.errors import ApplicationError
from kernel.formats import format_eur
from procurement import calculations
from procurement.models.challenges import AggregationMethod, Framing
from procurement.procedures import MAPA, STANDSTILL_DAYS, Procedure, procedure_for
from procurement.queries import lots_of, titulaires_of

# The methods that may decide an award: both sum the published weights.
AWARD_METHODS = (AggregationMethod.WEIGHTED_MEAN, AggregationMethod.MEDIAN_WEIGHTED)


def award_method_problems(method: str) -> dict[str, list[str]]:
    """``{"aggregation_method": [why]}`` when ``method`` may not decide an award."""
    if method in AWARD_METHODS:
        return {}
    return {
        "aggregation_method": [
            _(
                "Le jugement majoritaire ne peut pas départager les offres d'un marché : il "
                "peut neutraliser des critères dont le poids est publié (Conseil d'État, "
                "3 novembre 2014, Commune de Belleville-sur-Loire, n° 373362). Choisissez la "
                "moyenne pondérée ou la médiane par critère puis pondération."
            )
        ]
    }


def estimate_required() -> str:
    return _(
        "Indiquez le montant estimé HT : il détermine la procédure (seuils du code de la "
        "commande publique) et ses délais."
    )


def procedure_of(challenge, on=None) -> Procedure:
    """The procedure of ``challenge`` from its estimate, its buyer's category and its
    nature, on the day ``on`` (default: today). Raises ``MissingEstimate``."""
    day = on or timezone.localdate()
    return procedure_for(
        challenge.estimated_amount,
        on=day,
        buyer=challenge.buyer.buyer_category,
        nature=challenge.contract_nature,
    )


@dataclass(frozen=True)
class OfferWindow:
    """The offers' window ``procedure`` asks for, in days after publication: refused
    under ``minimum_days``; a MAPA is warned under ``warning_days`` (None otherwise)."""

    procedure: Procedure
    minimum_days: int
    warning_days: int | None = None


def offer_window_for(procedure: Procedure) -> OfferWindow:
    """The window of ``procedure``: a formal procedure's legal minimum; for a MAPA, which
    has none in law, the floor ``MAPA_MIN_OFFER_DAYS`` and the warning
    ``MAPA_WARN_OFFER_DAYS`` of the settings."""
    if procedure == MAPA:
        return OfferWindow(
            procedure,
            max(procedure.min_offer_days, settings.MAPA_MIN_OFFER_DAYS),
            settings.MAPA_WARN_OFFER_DAYS,
        )
    return OfferWindow(procedure, procedure.min_offer_days)


def offer_window_of(challenge, on: date | None = None) -> OfferWindow | None:
    """The procedure ``challenge``'s estimate gives if it is published on ``on``
    (default: today) and the window it asks for; None without an estimate (publication
    then refuses it: ``estimate_required``)."""
    if challenge.estimated_amount is None:
        return None
    return offer_window_for(procedure_of(challenge, on))


def offer_window_check(
    procedure: Procedure, published_at: datetime, proposal_deadline: datetime
) -> tuple[list[str], list[str]]:
    """(refusals, warnings) on the offers' window of ``procedure`` (``offer_window_for``):
    refused under its minimum, warned under a MAPA's warning floor. Elapsed time, to
    the second."""
    refusals: list[str] = []
    warnings: list[str] = []
    window = offer_window_for(procedure)
    if not calculations.offer_window_holds(published_at, proposal_deadline, window.minimum_days):
        days = window.minimum_days
        refusals.append(
            _("La date limite des propositions doit suivre la publication.")
            if days == 0
            else ngettext(
                "Pour une %(procedure)s, le délai de remise des propositions est d'au moins "
                "%(days)s jour après la publication.",
                "Pour une %(procedure)s, le délai de remise des propositions est d'au moins "
                "%(days)s jours après la publication.",
                days,
            )
            % {"procedure": procedure.label, "days": days}
        )
    elif window.warning_days is not None and not calculations.offer_window_holds(
        published_at, proposal_deadline, window.warning_days
    ):
        warnings.append(
            _(
                "Le délai de remise des propositions est de moins de %(days)s jours : pour "
                "une procédure adaptée, le délai doit rester raisonnable au regard de "
                "l'objet du marché ; vérifiez qu'il laisse aux candidats le temps de "
                "préparer une offre."
            )
            % {"days": window.warning_days}
        )
    return refusals, warnings


def lots_problems(challenge) -> dict[str, list[str]]:
    """What keeps the call's lots from being published, by field.

    * Every lot of a call of several lots has its estimate (HT): each lot is a contract
      of its own, and its estimate is printed on its acte d'engagement and price form.
    * The lots add up to the call's estimate: the procedure is chosen on the estimated
      value of the whole need, all lots together (article R2121-1).
    * A call of one lot for several resources states why it is not divided
      (``single_lot_reason``): dividing into lots is the rule (article L2113-10), and
      the buyer who does not divide motivates it (article L2113-11), in the
      consultation documents (article R2113-3). How a divided call groups resources
      into its lots is the buyer's choice: a reason given for it is printed, none is
      required."""
    lots = list(lots_of(challenge))
    problems: dict[str, list[str]] = {}
    missing = [str(lot.number) for lot in lots if lot.estimated_amount is None]
    if missing and len(lots) > 1:
        problems["lots"] = [
            _("Indiquez le montant estimé HT du lot n° %(lots)s : chaque lot est un marché.")
            % {"lots": ", ".join(missing)}
        ]
    elif not missing and challenge.estimated_amount is not None:
        total = sum((lot.estimated_amount for lot in lots), start=Decimal(0))
        if total != challenge.estimated_amount:
            problems["lots"] = [
                _(
                    "Les montants estimés des lots totalisent %(total)s, et non le montant "
                    "estimé de l'appel (%(estimate)s) : la procédure se détermine sur la "
                    "valeur de tous les lots ensemble (article R2121-1)."
                )
                % {
                    "total": format_eur(total),
                    "estimate": format_eur(challenge.estimated_amount),
                }
            ]
    undivided = len(lots) == 1 and len(lots[0].resources.all()) > 1
    if undivided and not challenge.single_lot_reason.strip():
        problems["single_lot_reason"] = [
            _(
                "L'appel n'est pas divisé en lots alors qu'il demande plusieurs ressources : "
                "motivez ce choix (l'allotissement est la règle, articles L2113-10 et "
                "L2113-11) ; le motif figure au règlement de l'appel (article R2113-3)."
            )
        ]
    return problems


def publication_warnings(challenge) -> list[str]:
    """The warnings on a published call's offers' window (none before publication)."""
    if challenge.published_at is None or challenge.proposal_deadline is None:
        return []
    if challenge.estimated_amount is None:
        return []
    procedure = procedure_of(challenge, timezone.localdate(challenge.published_at))
    _refusals, warnings = offer_window_check(
        procedure, challenge.published_at, challenge.proposal_deadline
    )
    return warnings


def standstill_applies(challenge) -> bool:
    """Whether the signature of ``challenge``'s contracts waits the standstill: a
    *marché public* awarded under a formal procedure (article R2182-1), the procedure
    being the one of its publication, or a MAPA whose buyer chose to observe it
    (``mapa_standstill``). Otherwise a MAPA may be signed once the letters are sent; a
    call hors marché awards subsidies, not contracts."""
    if challenge.framing != Framing.PUBLIC_CONTRACT:
        return False
    if challenge.mapa_standstill:
        return True
    published_on = timezone.localdate(challenge.published_at or challenge.created_at)
    return procedure_of(challenge, published_on).formal


def standstill_end(challenge, letters_sent_at: datetime) -> datetime:
    """The moment from which the contract may be signed: 11 days to the second after
    the rejection letters were sent electronically under a formal procedure (article
    R2182-1), at once otherwise."""
    if standstill_applies(challenge):
        return letters_sent_at + timedelta(days=STANDSTILL_DAYS)
    return letters_sent_at


def essential_data_problems(challenge, proposal_ids) -> dict[str, list[str]]:
    """What the données essentielles of the contracts awarded to ``proposal_ids`` lack,
    by field, in French; empty when they can be published.

    Article R2196-1 of the code de la commande publique: the buyer publishes the
    essential data of each contract on the national open-data portal, in the format of
    the arrêté of 22 December 2022 (données essentielles des marchés publics). A contract
    awarded under a *marché public* needs then the main CPV code of what is bought
    (``cpv_code``), its main place of execution (``execution_place_code``, a code and its
    type), the buyer's SIRET (``buyer_siret``) and each titulaire's SIRET
    (``titulaires``: a groupement's members holding a share of the price, or the
    candidate alone, ``queries.titulaires_of``). They are never published blank: the
    award is refused until they are given. A call *hors marché* awards subsidies, which
    have no données essentielles."""
    if challenge.framing != Framing.PUBLIC_CONTRACT:
        return {}
    problems: dict[str, list[str]] = {}
    if not challenge.cpv_code:
        problems["cpv_code"] = [
            _(
                "Indiquez le code CPV principal de l'appel : les données essentielles de "
                "chaque marché le publient (article R2196-1 du code de la commande publique)."
            )
        ]
    if not (challenge.execution_place_kind and challenge.execution_place_code):
        problems["execution_place_code"] = [
            _(
                "Indiquez le lieu d'exécution principal du marché (un code et son type : "
                "commune, département, région…) : les données essentielles le publient."
            )
        ]
    if not challenge.buyer.siret:
        problems["buyer_siret"] = [
            _(
                "Le SIRET de l'acheteur « %(name)s » manque : les données essentielles "
                "identifient l'acheteur par son SIRET. Un administrateur de l'acheteur le "
                "saisit sur la page « Mon organisation »."
            )
            % {"name": challenge.buyer.name}
        ]
    unnamed: dict[int, str] = {}
    for organisations in titulaires_of(proposal_ids).values():
        for organisation in organisations:
            if not organisation.siret:
                unnamed[organisation.pk] = organisation.name
    if unnamed:
        problems["titulaires"] = [
            _(
                "Le SIRET du titulaire « %(name)s » manque : les données essentielles "
                "identifient chaque titulaire par son SIRET. Un membre de l'organisation le "
                "saisit sur la page « Mon organisation »."
            )
            % {"name": name}
            for _pk, name in sorted(unnamed.items(), key=lambda item: item[1])
        ]
    return problems


def require_essential_data(challenge, proposal_ids) -> None:
    """Refuse (400, code ``essential_data_missing``) an award or a signature whose
    contracts' données essentielles are incomplete (``essential_data_problems``): the
    message says so, ``fields`` names each missing piece of data and where it is given."""
    problems = essential_data_problems(challenge, proposal_ids)
    if problems:
        raise ApplicationError(
            _(
                "Les données essentielles du marché sont incomplètes : complétez-les avant "
                "l'attribution (article R2196-1 du code de la commande publique)."
            ),
            code="essential_data_missing",
            extra={"fields": problems},
        )
