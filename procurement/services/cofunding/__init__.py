"""Cofunding rounds (cobudget's rules): funders spread their envelope over buckets."""

from procurement.services.cofunding.matching import (
    matching_offer_create,
    matching_offer_withdraw,
)
from procurement.services.cofunding.pledges import (
    allocation_set,
    pledge_create,
    pledge_move,
    pledge_withdraw,
)
from procurement.services.cofunding.rounds import (
    allocations_grant_contributors,
    bucket_update,
    cofunding_close,
    cofunding_deadline_postpone,
    cofunding_hosts_missing,
    cofunding_open,
    cofunding_update,
    subsidy_record,
)

__all__ = [
    "allocation_set",
    "allocations_grant_contributors",
    "bucket_update",
    "cofunding_close",
    "cofunding_deadline_postpone",
    "cofunding_hosts_missing",
    "cofunding_open",
    "cofunding_update",
    "matching_offer_create",
    "matching_offer_withdraw",
    "pledge_create",
    "pledge_move",
    "pledge_withdraw",
    "subsidy_record",
]
