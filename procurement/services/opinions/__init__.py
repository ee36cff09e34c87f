"""The Chambre des communs: referrals, its advisory opinions, the answers to their
reservations, and the decisions that keep its catalogue.

A referral (saisine) runs: the modérateur names a rapporteur from the engagement
group → members comment → the rapporteur drafts and submits the opinion → the
modérateur validates and publishes it (or returns it to the rapporteur). Past the
Chambre's delay the process goes on and the record says no opinion was given in time.

One module per concept: ``referrals``, ``reservations`` (the buyer's answers),
``catalogue``.
"""

from procurement.services.opinions.catalogue import (
    commons_dereference,
    commons_propose,
    commons_reference,
)
from procurement.services.opinions.referrals import (
    RAPPORTEUR_ROLES,
    STAGE_FOR,
    opinion_deadline,
    referral_comment,
    referral_draft,
    referral_expire,
    referral_name_rapporteur,
    referral_open,
    referral_publish,
    referral_return,
)
from procurement.services.opinions.reservations import (
    ANSWERABLE,
    require_reservations_answered,
    reservation_answer,
    reservations_answer_all,
)

__all__ = [
    "ANSWERABLE",
    "RAPPORTEUR_ROLES",
    "STAGE_FOR",
    "commons_dereference",
    "commons_propose",
    "commons_reference",
    "opinion_deadline",
    "referral_comment",
    "referral_draft",
    "referral_expire",
    "referral_name_rapporteur",
    "referral_open",
    "referral_publish",
    "referral_return",
    "require_reservations_answered",
    "reservation_answer",
    "reservations_answer_all",
]
