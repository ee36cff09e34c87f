"""Writes on scoring grids: set, copy, check before publication, freeze."""

import re
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, WrongState
from kernel.guards import validated_save
from procurement.models import ChallengeStatus
from procurement.services.audit import audit_record
from procurement.services.award_rules import award_method_problems, estimate_required
from procurement.services.common import require_member
from scoring.aggregation import MJ_GRADES  # best first, stored in French
from scoring.models import (
    COMMONS_KINDS,
    SCALE_MAX,
    Criterion,
    CriterionKind,
    Grid,
    ScaleKind,
)

# Evaluations are taken while the evaluators score and until the buyer has selected:
# a reassigned evaluator or a new round may come after the scoring tasks are done.
EVALUATION_OPEN = (ChallengeStatus.SCORING, ChallengeStatus.SELECTION)

# A grid in the spirit of the Métropole Européenne de Lille's: commons criteria weigh 30 %.
DEFAULT_GRID = [
    {
        "code": "technique",
        "label": "Valeur technique de la proposition",
        "kind": CriterionKind.TECHNICAL,
        "weight": Decimal(35),
    },
    {
        # Marked by the published formula on the offered price (CCP R2152-7).
        "code": "prix",
        "label": "Prix (montant HT de l'offre)",
        "kind": CriterionKind.PRICE,
        "scale": ScaleKind.PRICE_FORMULA,
        "weight": Decimal(20),
    },
    {
        "code": "usage-communs",
        "label": "Usage de communs existants, dont ceux référencés par la Chambre",
        "kind": CriterionKind.COMMONS_USE,
        "weight": Decimal(10),
    },
    {
        "code": "production-communs",
        "label": "Production de communs sous licence ouverte",
        "kind": CriterionKind.COMMONS_PRODUCTION,
        "weight": Decimal(10),
    },
    {
        "code": "gouvernance",
        "label": "Ouverture de la gouvernance et de la communauté",
        "kind": CriterionKind.COMMONS_GOVERNANCE,
        "weight": Decimal(5),
    },
    {
        "code": "reciprocite",
        "label": "Engagement de réciprocité",
        "kind": CriterionKind.COMMONS_RECIPROCITY,
        "weight": Decimal(5),
    },
    {
        "code": "environnement",
        "label": "Caractéristiques environnementales (sobriété numérique)",
        "kind": CriterionKind.ENVIRONMENT,
        "weight": Decimal(15),
    },
]


# The template of the social and solidarity criterion a buyer adds to its grid with the
# weight it chooses (the call editor's « critère social et solidaire »; the API takes the
# same criterion in the grid). Article R2152-7, 2° a) du code de la commande publique
# names among the qualitative criteria « l'insertion professionnelle des publics en
# difficulté », « les conditions de production et de commercialisation » and « la
# garantie de la rémunération équitable des producteurs »; a criterion must be linked to
# the object of the contract or its conditions of execution (article L2152-7, read with
# articles L2112-2 to L2112-4: conditions of execution may take social and employment
# considerations into account). So it marks what the offer commits to in the execution,
# never the candidate's own status (an ESS or SIAE status alone is not linked to the
# object: the lots reserved under L2113-12 to L2113-15 serve that).
SOCIAL_CRITERION_CODE = "social-solidaire"
SOCIAL_CRITERION = {
    "code": SOCIAL_CRITERION_CODE,
    "label": "Performance sociale et solidaire de l'exécution",
    "kind": CriterionKind.OTHER,
    "scale": ScaleKind.ZERO_TEN,
    "weight": Decimal(10),
    "description": (
        "Article R2152-7, 2° a) du code de la commande publique (insertion professionnelle "
        "des publics en difficulté, conditions de production, rémunération équitable), "
        "apprécié sur les conditions d'exécution que la proposition s'engage à respecter "
        "(articles L2152-7 et L2112-2) : heures de travail confiées à des personnes en "
        "insertion ou en situation de handicap, part des prestations exécutée par des "
        "structures de l'économie sociale et solidaire, entreprises adaptées, ESAT ou "
        "structures d'insertion, juste rémunération horaire des contributeurs du commun. "
        "Le statut du candidat n'est pas noté en lui-même."
    ),
    "levels": [
        {"level": "0", "description": "Aucun engagement social vérifiable dans l'exécution."},
        {
            "level": "5",
            "description": ("Des engagements chiffrés sur l'un des trois points, avec leur suivi."),
        },
        {
            "level": "10",
            "description": (
                "Des engagements chiffrés sur les trois points, suivis et rendus publics "
                "pendant l'exécution."
            ),
        },
    ],
}


def social_criterion(weight: Decimal) -> dict:
    """The social and solidarity criterion at ``weight`` percent, as ``grid_set`` takes
    it (the buyer then brings the grid's total back to 100 %)."""
    return {**SOCIAL_CRITERION, "weight": weight, "levels": list(SOCIAL_CRITERION["levels"])}


def _levels(criterion: Criterion, raw: list[dict]) -> list[dict]:
    """The descriptions of the scale's levels, checked and in the scale's order (numeric
    levels from 0 up, mentions from the best). Raises ``ValueError`` with the reason."""
    if criterion.by_formula:
        if raw:
            raise ValueError(
                _("Le prix est noté par la formule publiée : son échelle n'a pas de niveaux.")
            )
        return []
    seen: dict[str, str] = {}
    for item in raw or []:
        level = str(item.get("level", "")).strip()
        description = str(item.get("description", "")).strip()
        if criterion.scale == ScaleKind.MAJORITY:
            if level not in MJ_GRADES:
                raise ValueError(
                    _("Niveau attendu parmi les mentions : %(grades)s.")
                    % {"grades": ", ".join(MJ_GRADES)}
                )
        else:
            maximum = SCALE_MAX[criterion.scale]
            if not re.fullmatch(r"[0-9]{1,3}", level) or int(level) > maximum:
                raise ValueError(_("Niveau entier attendu, de 0 à %(max)s.") % {"max": maximum})
            level = str(int(level))
        if not description:
            raise ValueError(_("Décrivez le niveau %(level)s.") % {"level": level})
        if level in seen:
            raise ValueError(_("Le niveau %(level)s est décrit deux fois.") % {"level": level})
        seen[level] = description
    if criterion.scale == ScaleKind.MAJORITY:
        order = sorted(seen, key=MJ_GRADES.index)
    else:
        order = sorted(seen, key=int)
    return [{"level": level, "description": seen[level]} for level in order]


def _grid_replace(*, challenge, criteria: list[dict]) -> Grid:
    """Replace the criteria of the challenge's grid, unless it is frozen."""
    grid, _created = Grid.objects.select_for_update().get_or_create(challenge=challenge)
    if grid.frozen_at is not None:
        raise WrongState(
            _("La grille est figée depuis l'ouverture des propositions."), code="grid_frozen"
        )
    if not criteria:
        raise ApplicationError(
            _("La grille compte au moins un critère."),
            code="empty_grid",
            extra={"fields": {"criteria": [_("Ajoutez au moins un critère.")]}},
        )
    grid.criteria.all().delete()
    level_errors: dict[str, dict] = {}
    for order, item in enumerate(criteria):
        kind = item.get("kind", CriterionKind.OTHER)
        scale = item.get("scale", ScaleKind.ZERO_TEN)
        # R2152-7: the price criterion is marked by the published formula, whatever scale
        # was asked; the formula marks nothing else.
        if kind == CriterionKind.PRICE:
            scale = ScaleKind.PRICE_FORMULA
        elif scale == ScaleKind.PRICE_FORMULA:
            level_errors[item["code"]] = {
                "scale": [_("Seul le critère de prix est noté par la formule sur le prix.")]
            }
            continue
        criterion = Criterion(
            grid=grid,
            code=item["code"],
            label=item["label"],
            description=item.get("description", ""),
            kind=kind,
            weight=Decimal(item["weight"]),
            scale=scale,
            threshold=item.get("threshold"),
            order=order,
        )
        if criterion.scale in ScaleKind.values:
            try:
                criterion.levels = _levels(criterion, item.get("levels") or [])
            except ValueError as exc:
                level_errors[criterion.code] = {"levels": [str(exc)]}
                continue
        validated_save(criterion)
    if level_errors:
        raise ApplicationError(
            _("Certaines échelles ou certains niveaux ne sont pas valables."),
            code="invalid_levels",
            extra={"fields": {"criteria": level_errors}},
        )
    return grid


@transaction.atomic
def grid_set(*, challenge, actor=None, criteria: list[dict]) -> Grid:
    """Replace the challenge's grid while it is not frozen (frozen once proposals open).

    Each criterion may describe the levels of its scale (``levels``: ``[{"level",
    "description"}]``), a numeric level or a mention of the criterion's scale."""
    if actor is not None:
        require_member(
            actor, challenge.buyer, message=_("Seul un agent de l'acheteur fixe la grille.")
        )
    grid = _grid_replace(challenge=challenge, criteria=criteria)
    audit_record(
        verb="grid.set",
        actor=actor,
        challenge=challenge,
        obj=grid,
        data={"criteria": [{"code": c["code"], "weight": c["weight"]} for c in criteria]},
    )
    return grid


def _criterion_data(criterion: Criterion) -> dict:
    return {
        "code": criterion.code,
        "label": criterion.label,
        "description": criterion.description,
        "kind": criterion.kind,
        "weight": criterion.weight,
        "scale": criterion.scale,
        "threshold": criterion.threshold,
        "levels": criterion.levels,
    }


@transaction.atomic
def grid_copy(*, challenge, source, actor) -> Grid:
    """Copy onto ``challenge`` the grid of ``source``, another challenge of the same
    buyer: criteria, weights, scales, thresholds and level descriptions.

    Preconditions: the actor is on the buyer's staff (403); ``source`` is another
    challenge of the same buyer with a grid (400) — that the actor may see it is
    checked when it is fetched (``access_challenge``, 404); the target grid is not
    frozen (409). Replaces the target's criteria; audited as ``grid.copied``."""
    require_member(actor, challenge.buyer, message=_("Seul un agent de l'acheteur fixe la grille."))
    if source.pk == challenge.pk or source.buyer_id != challenge.buyer_id:
        raise ApplicationError(
            _("La grille doit venir d'un autre appel du même acheteur."),
            code="invalid_source",
            extra={"fields": {"source": [_("Choisissez un autre appel de votre organisation.")]}},
        )
    criteria = [_criterion_data(c) for c in Criterion.objects.filter(grid__challenge=source)]
    if not criteria:
        raise ApplicationError(
            _("L'appel choisi n'a pas de grille de notation."),
            code="empty_grid",
            extra={"fields": {"source": [_("Cet appel n'a aucun critère.")]}},
        )
    grid = _grid_replace(challenge=challenge, criteria=criteria)
    audit_record(
        verb="grid.copied",
        actor=actor,
        challenge=challenge,
        obj=grid,
        data={
            "source": source.pk,
            "criteria": [{"code": c["code"], "weight": c["weight"]} for c in criteria],
        },
    )
    return grid


def grid_check(*, challenge) -> None:
    """A call is referred to the Chambre and published only with a grid and a method
    that may decide an award, and an estimate:

    * the weights sum to 100 %;
    * a price criterion weighs more than 0 % (CCP R2152-7: at least one price or cost
      criterion), marked by the published formula;
    * an environmental criterion weighs more than 0 % (CCP L2152-7 as amended by article
      35 of loi n° 2021-1104 "Climat et résilience", applied by décret n° 2022-767 to
      consultations launched from 21 August 2026: at least one award criterion
      takes environmental characteristics into account — a 0 % criterion takes nothing
      into account);
    * the commons criteria weigh at least the buyer's minimum share, bound included;
    * the method is not majority judgment, which may neutralise published weights
      (CE 3 novembre 2014, Commune de Belleville-sur-Loire, n° 373362);
    * the estimated amount is given: it decides the procedure (``procurement.procedures``).

    Raises ``ApplicationError`` (400) naming each field in fault (``grid``,
    ``aggregation_method``, ``estimated_amount``); writes nothing."""
    grid = Grid.objects.filter(challenge=challenge).first()
    criteria = list(grid.criteria.all()) if grid else []
    problems = []
    if not criteria:
        problems.append(_("La grille de notation est vide."))
    else:
        total = sum((c.weight for c in criteria), Decimal(0))
        if total != Decimal(100):
            problems.append(
                _("Les poids des critères totalisent %(total)s %% au lieu de 100 %%.")
                % {"total": total}
            )
        commons = sum((c.weight for c in criteria if c.kind in COMMONS_KINDS), Decimal(0))
        minimum = challenge.buyer.commons_min_share
        if commons < minimum:
            problems.append(
                _(
                    "Les critères relatifs aux communs pèsent %(commons)s %%, "
                    "moins que le minimum de %(minimum)s %% fixé par l'acheteur."
                )
                % {"commons": commons, "minimum": minimum}
            )
        if not any(c.kind == CriterionKind.PRICE and c.weight > 0 for c in criteria):
            problems.append(
                _(
                    "La grille doit compter un critère de prix de poids non nul, noté par "
                    "la formule publiée (article R2152-7 du code de la commande publique)."
                )
            )
        if not any(c.kind == CriterionKind.ENVIRONMENT and c.weight > 0 for c in criteria):
            problems.append(
                _(
                    "La grille doit compter un critère sur les caractéristiques "
                    "environnementales de poids non nul (article L2152-7 du code de la "
                    "commande publique, modifié par l'article 35 de la loi Climat et "
                    "résilience)."
                )
            )
    fields: dict[str, list[str]] = {}
    if problems:
        fields["grid"] = problems
    fields.update(award_method_problems(challenge.aggregation_method))
    if challenge.estimated_amount is None:
        fields["estimated_amount"] = [estimate_required()]
    if fields:
        messages = [message for field in fields.values() for message in field]
        raise ApplicationError(" ".join(messages), code="grid_invalid", extra={"fields": fields})


def grid_freeze(*, challenge) -> None:
    Grid.objects.filter(challenge=challenge, frozen_at__isnull=True).update(
        frozen_at=timezone.now()
    )
