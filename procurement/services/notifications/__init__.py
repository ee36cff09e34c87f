"""E-mail notifications: subscriptions, and the mails of a challenge's events.

Each event creates its ``Notification`` rows (one per recipient, unique per event key)
in the event's own transaction; the mails leave after commit through a Celery task
(inline in eager mode), so a rolled-back event sends nothing and an event notified
twice mails nobody twice. A failed send keeps ``sent_at`` empty: the sweep retries it.
"""

from procurement.services.notifications.events import (
    notify_action_overdue,
    notify_answers_published,
    notify_call_amended,
    notify_challenge_awarded,
    notify_challenge_published,
    notify_cofunding_opened,
    notify_deadline_extended,
    notify_deliverable_decided,
    notify_deliverable_submitted,
    notify_draft_submitted,
    notify_evaluations_done,
    notify_exploration_decided,
    notify_exploration_started,
    notify_facilitation_conflict,
    notify_meeting_scheduled,
    notify_motion_decided,
    notify_motion_filed,
    notify_opinion_published,
    notify_pledges_released,
    notify_proposals_opened,
    notify_proposals_selected,
    notify_question_asked,
    notify_rapporteur_named,
    notify_referral_opened,
    notify_rejection_letters,
    notify_vote_opened,
    notify_vote_result,
)
from procurement.services.notifications.reminders import reminders_send, reminders_send_due
from procurement.services.notifications.sending import (
    PARIS,
    notification_render,
    notification_send,
    notifications_retry_due,
)
from procurement.services.notifications.subscriptions import mail_language_set, subscription_set

__all__ = [
    "PARIS",
    "mail_language_set",
    "notification_render",
    "notification_send",
    "notifications_retry_due",
    "notify_action_overdue",
    "notify_answers_published",
    "notify_call_amended",
    "notify_challenge_awarded",
    "notify_challenge_published",
    "notify_cofunding_opened",
    "notify_deadline_extended",
    "notify_deliverable_decided",
    "notify_deliverable_submitted",
    "notify_draft_submitted",
    "notify_evaluations_done",
    "notify_exploration_decided",
    "notify_exploration_started",
    "notify_facilitation_conflict",
    "notify_meeting_scheduled",
    "notify_motion_decided",
    "notify_motion_filed",
    "notify_opinion_published",
    "notify_pledges_released",
    "notify_proposals_opened",
    "notify_proposals_selected",
    "notify_question_asked",
    "notify_rapporteur_named",
    "notify_referral_opened",
    "notify_rejection_letters",
    "notify_vote_opened",
    "notify_vote_result",
    "reminders_send",
    "reminders_send_due",
    "subscription_set",
]
