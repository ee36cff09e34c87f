"""The tender pack: pure renderers, one per piece, from a frozen context to .docx bytes.

Nothing here imports Django: the Django side builds the contexts (``context.py``) from
queries, and a Celery job iterates ``PIECES``::

    for key, (title, render) in PIECES.items():
        data = render(context_for(key))

Each renderer takes the context its annotation names:

============================  ====================  =======================================
key                           context               produced
============================  ====================  =======================================
reglement                     ChallengeContext      once per published marché public (DCE)
reglement_appel               ChallengeContext      once per published call hors marché (DCE)
cctp                          ChallengeContext      once per published call (DCE)
ccap                          ChallengeContext      once per published marché public (DCE)
ae_lot                        LotContext            once per lot of a marché public (DCE)
dpgf                          LotContext            once per lot of a marché public (DCE)
demande_subvention            LotContext            once per lot of a call hors marché (DCE)
acte_engagement               AwardContext          once per award
rapport_analyse               RankingContext        once per selection
rapport_presentation          RankingContext        once per selection, formal procedures
avis_attribution              AttributionContext    once per award, formal procedures
avis_chambre                  OpinionContext        once per opinion of the Chambre
convention_cofinancement      CofundingContext      once per funded commons
contrat_reciprocite           ReciprocityContext    once per partner's commitment
contrat_hebergement           HostingContext        once per commons of a retained proposal
lettre_rejet                  RejectionContext      once per unsuccessful candidate and lot
lettre_non_attribution        DiscontinuationContext once per candidate of a lot not awarded
notification_marche           NotificationContext   once per lot signed, to its titulaire
============================  ====================  =======================================

The pieces marked DCE are the consultation documents, generated from the call alone at
its publication and public from then on; the others follow the selection.

Same context, same bytes (see ``wordml.docx_bytes``), so a job can compare SHA-256 sums
to tell whether a piece changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from . import (
    acte_engagement,
    ae_lot,
    avis_attribution,
    avis_chambre,
    ccap,
    cctp,
    contrat_hebergement,
    contrat_reciprocite,
    convention_cofinancement,
    demande_subvention,
    dpgf,
    lettre_non_attribution,
    lettre_rejet,
    notification_marche,
    rapport_analyse,
    rapport_presentation,
    reglement,
)
from .acte_engagement import render_acte_engagement
from .ae_lot import render_ae_lot
from .avis_attribution import render_avis_attribution
from .avis_chambre import render_avis_chambre
from .ccap import render_ccap
from .cctp import render_cctp
from .contrat_hebergement import render_contrat_hebergement
from .contrat_reciprocite import render_contrat_reciprocite
from .convention_cofinancement import render_convention_cofinancement
from .demande_subvention import render_demande_subvention
from .dpgf import render_dpgf
from .lettre_non_attribution import render_lettre_non_attribution
from .lettre_rejet import render_lettre_rejet
from .notification_marche import render_notification_marche
from .rapport_analyse import render_rapport_analyse
from .rapport_presentation import render_rapport_presentation
from .reglement import render_reglement, render_reglement_appel


class Piece(NamedTuple):
    title: str
    render: Callable[[Any], bytes]


PIECES: dict[str, Piece] = {
    "reglement": Piece(reglement.TITLE, render_reglement),
    "reglement_appel": Piece(reglement.TITLE_OUTSIDE_CONTRACT, render_reglement_appel),
    "cctp": Piece(cctp.TITLE, render_cctp),
    "ccap": Piece(ccap.TITLE, render_ccap),
    "ae_lot": Piece(ae_lot.TITLE, render_ae_lot),
    "dpgf": Piece(dpgf.TITLE, render_dpgf),
    "demande_subvention": Piece(demande_subvention.TITLE, render_demande_subvention),
    "acte_engagement": Piece(acte_engagement.TITLE, render_acte_engagement),
    "rapport_analyse": Piece(rapport_analyse.TITLE, render_rapport_analyse),
    "rapport_presentation": Piece(rapport_presentation.TITLE, render_rapport_presentation),
    "avis_attribution": Piece(avis_attribution.TITLE, render_avis_attribution),
    "avis_chambre": Piece(avis_chambre.TITLE, render_avis_chambre),
    "convention_cofinancement": Piece(
        convention_cofinancement.TITLE, render_convention_cofinancement
    ),
    "contrat_reciprocite": Piece(contrat_reciprocite.TITLE, render_contrat_reciprocite),
    "contrat_hebergement": Piece(contrat_hebergement.TITLE, render_contrat_hebergement),
    "lettre_rejet": Piece(lettre_rejet.TITLE, render_lettre_rejet),
    "lettre_non_attribution": Piece(lettre_non_attribution.TITLE, render_lettre_non_attribution),
    "notification_marche": Piece(notification_marche.TITLE, render_notification_marche),
}

__all__ = [
    "PIECES",
    "Piece",
    "render_acte_engagement",
    "render_ae_lot",
    "render_avis_attribution",
    "render_avis_chambre",
    "render_ccap",
    "render_cctp",
    "render_contrat_hebergement",
    "render_contrat_reciprocite",
    "render_convention_cofinancement",
    "render_demande_subvention",
    "render_dpgf",
    "render_lettre_non_attribution",
    "render_lettre_rejet",
    "render_notification_marche",
    "render_rapport_analyse",
    "render_rapport_presentation",
    "render_reglement",
    "render_reglement_appel",
]
