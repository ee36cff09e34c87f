"""Facilitation and community (seeds 004 and 000): the facilitator of a call and its
neutrality, the working groups' meetings and links, the Chambre's motions and their
action plans."""

from procurement.services.community.facilitation import (
    facilitation_neutrality_check,
    facilitations_recheck,
    facilitator_designate,
)
from procurement.services.community.meetings import (
    meeting_minutes_write,
    meeting_schedule,
    working_group_links_set,
)
from procurement.services.community.motions import (
    motion_action_add,
    motion_action_update,
    motion_actions_overdue_notify,
    motion_decide,
    motion_file,
)

__all__ = [
    "facilitation_neutrality_check",
    "facilitations_recheck",
    "facilitator_designate",
    "meeting_minutes_write",
    "meeting_schedule",
    "motion_action_add",
    "motion_action_update",
    "motion_actions_overdue_notify",
    "motion_decide",
    "motion_file",
    "working_group_links_set",
]
