"""Reads that need care: scoped by the caller in the query itself, without N+1.

``access_<entity>`` fetches one object the user may see, or raises ``NotFound``
(never 403: no hint that a hidden object exists).

One module per concept; this package re-exports their public names, so callers write
``from procurement import queries`` and ``queries.<name>(...)``.
"""

from procurement.queries.catalogue import (
    access_commons,
    catalogue_decisions,
    catalogue_licences,
    commons_catalogue,
    commons_search,
)
from procurement.queries.challenges import (
    access_challenge,
    access_question,
    challenges_visible_to,
    latest_documents,
    next_deadline,
    questions_of,
    questions_visible_to,
)
from procurement.queries.cofunding import (
    bucket_editable_by,
    challenge_contributors,
    cofunding_round_of,
    funders_for,
)
from procurement.queries.ledger import (
    expenses_of,
    incomes_of,
    ledger_default_group,
    ledger_group,
    ledger_public,
    may_read_invoice,
)
from procurement.queries.membership import (
    CHAMBRE_ROLES,
    OPINION_ROLES,
    STAFF_ROLES,
    buyer_evaluators,
    is_buyer_staff,
    is_chambre_member,
    is_member,
    org_ids,
    organisations_list,
    organisations_of,
    rapporteur_candidates,
)
from procurement.queries.notifications import (
    deadlines_to_remind,
    group_member_recipients,
    positioned_recipients,
    proposer_recipients,
    staff_recipients,
    subscriber_recipients,
    subscriptions_of,
)
from procurement.queries.opinions import (
    access_opinion,
    access_referral,
    chambre_activity,
    latest_opinion,
    open_referral,
    opinions_of,
    referrals_due,
    referrals_of,
    referrals_open_for,
)
from procurement.queries.positions import (
    access_position,
    access_working_group,
    group_intents,
    positions_visible_to,
    resources_of,
    working_groups_of,
    working_groups_visible_to,
)
from procurement.queries.proposals import (
    RESULT_STAGES,
    access_proposal,
    proposals_visible_to,
    public_results,
)
from procurement.queries.reciprocity import (
    Board,
    BoardRow,
    access_commitment,
    commitments_of,
    declarations_of,
    reciprocity_board,
)

__all__ = [
    "CHAMBRE_ROLES",
    "OPINION_ROLES",
    "RESULT_STAGES",
    "STAFF_ROLES",
    "Board",
    "BoardRow",
    "access_challenge",
    "access_commitment",
    "access_commons",
    "access_opinion",
    "access_position",
    "access_proposal",
    "access_question",
    "access_referral",
    "access_working_group",
    "bucket_editable_by",
    "buyer_evaluators",
    "catalogue_decisions",
    "catalogue_licences",
    "challenge_contributors",
    "challenges_visible_to",
    "chambre_activity",
    "cofunding_round_of",
    "commitments_of",
    "commons_catalogue",
    "commons_search",
    "deadlines_to_remind",
    "declarations_of",
    "expenses_of",
    "funders_for",
    "group_intents",
    "group_member_recipients",
    "incomes_of",
    "is_buyer_staff",
    "is_chambre_member",
    "is_member",
    "latest_documents",
    "latest_opinion",
    "ledger_default_group",
    "ledger_group",
    "ledger_public",
    "may_read_invoice",
    "next_deadline",
    "open_referral",
    "opinions_of",
    "org_ids",
    "organisations_list",
    "organisations_of",
    "positioned_recipients",
    "positions_visible_to",
    "proposals_visible_to",
    "proposer_recipients",
    "public_results",
    "questions_of",
    "questions_visible_to",
    "rapporteur_candidates",
    "reciprocity_board",
    "referrals_due",
    "referrals_of",
    "referrals_open_for",
    "resources_of",
    "staff_recipients",
    "subscriber_recipients",
    "subscriptions_of",
    "working_groups_of",
    "working_groups_visible_to",
]
