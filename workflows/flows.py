"""The process of an appel à communs, as one viewflow flow.

Each node is one line: human steps are completed through ``workflows.services``
(the task API and the portal), automatic steps call a procurement service, and the
deadlines are database timers fired by the periodic sweep, so they hold with nobody
clicking and survive restarts.

    draft ─► call_opinion ─► (reservations? revise ─► call_opinion again, or go on) ─► publish
      ─► positioning (timer) ─► close_positioning ─► proposals (timer) ─► open_proposals
      ─► (none submitted? unsuccessful ─► end_unsuccessful)
      ─► assign_evaluators ─► split: score × evaluator ─► join ─► close_scoring ─► select
      ─► selection_opinion ─► open_cofunding ─► cofunding (timer) ─► close_cofunding
      ─► generate_documents (Celery) ─► award ─► end
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from procurement.models import Challenge, ChallengeStatus
from procurement.services import challenges as challenge_services
from procurement.services import cofunding as cofunding_services
from procurement.services import documents as document_services
from procurement.services import positions as position_services
from procurement.services import proposals as proposal_services
from scoring import services as scoring_services
from workflows.models import ChallengeProcess
from workflows.nodes import CeleryJob, DynamicSplit
from workflows.views import task_redirect


def fresh(activation) -> Challenge:
    """The challenge as the services left it (never a copy cached on the process)."""
    return Challenge.objects.select_related("buyer", "chambre").get(
        pk=activation.process.challenge_id
    )


def human(title, description=""):
    return flow.View(task_redirect).Annotation(title=title, description=description)


class ChallengeFlow(flow.Flow):
    process_class = ChallengeProcess
    # Joins need a real lock; on SQLite the IMMEDIATE transactions serialise writers.
    lock_impl = lock.select_for_update_lock
    process_title = _("Appel à communs")
    process_description = _("Du brouillon à l'attribution d'un appel à communs.")

    start = flow.StartHandle(this.start_process).Next(this.draft)

    draft = human(_("Rédiger l'appel"), _("L'acheteur rédige l'appel et saisit la Chambre.")).Next(
        this.call_opinion
    )
    call_opinion = human(_("Avis de la Chambre sur l'appel")).Next(this.check_call_opinion)
    check_call_opinion = flow.If(this.call_opinion_favorable).Then(this.publish).Else(this.revise)
    revise = human(_("Réviser l'appel après avis")).Next(this.check_revision)
    check_revision = flow.If(this.resubmitted).Then(this.call_opinion).Else(this.publish)
    publish = human(_("Publier l'appel")).Next(this.positioning)

    positioning = flow.Timer(this.positioning_deadline).Next(this.close_positioning)
    close_positioning = flow.Function(this.do_close_positioning).Next(this.proposals)
    proposals = flow.Timer(this.proposal_deadline).Next(this.open_proposals)
    open_proposals = flow.Function(this.do_open_proposals).Next(this.check_proposals)
    check_proposals = (
        flow.If(this.has_proposals).Then(this.assign_evaluators).Else(this.unsuccessful)
    )
    unsuccessful = flow.Function(this.do_unsuccessful).Next(this.end_unsuccessful)
    end_unsuccessful = flow.End()

    assign_evaluators = human(_("Désigner les évaluateurs")).Next(this.split_scoring)
    split_scoring = DynamicSplit().Each(this.score, this.evaluator_tasks)
    score = human(_("Évaluer les propositions")).Assign(this.evaluator_of).Next(this.join_scoring)
    join_scoring = flow.Join().Next(this.close_scoring)
    close_scoring = flow.Function(this.do_close_scoring).Next(this.select)
    select = human(_("Sélectionner les propositions")).Next(this.selection_opinion)
    selection_opinion = human(_("Avis de la Chambre sur la sélection")).Next(this.open_cofunding)

    open_cofunding = flow.Function(this.do_open_cofunding).Next(this.cofunding)
    cofunding = flow.Timer(this.cofunding_deadline).Next(this.close_cofunding)
    close_cofunding = flow.Function(this.do_close_cofunding).Next(this.generate_documents)
    generate_documents = CeleryJob(this.do_finish_documents, work=this.do_generate_documents).Next(
        this.award
    )
    award = human(_("Attribuer le marché")).Next(this.end)
    end = flow.End()

    # --- callbacks: one call each ------------------------------------------------

    def start_process(self, activation, challenge):
        activation.process.challenge = challenge

    def call_opinion_favorable(self, activation):
        return fresh(activation).status == ChallengeStatus.READY

    def resubmitted(self, activation):
        return fresh(activation).status == ChallengeStatus.IN_REVIEW

    def positioning_deadline(self, activation):
        return fresh(activation).positioning_deadline

    def proposal_deadline(self, activation):
        return fresh(activation).proposal_deadline

    def cofunding_deadline(self, activation):
        return fresh(activation).cofunding_deadline

    def do_close_positioning(self, activation):
        position_services.positioning_close(challenge=fresh(activation))

    def do_open_proposals(self, activation):
        proposal_services.proposals_open(challenge=fresh(activation))

    def has_proposals(self, activation):
        return fresh(activation).proposals.exists()

    def do_unsuccessful(self, activation):
        challenge_services.challenge_mark_unsuccessful(challenge=fresh(activation))

    def evaluator_tasks(self, activation):
        return scoring_services.evaluator_task_data(challenge=fresh(activation))

    def evaluator_of(self, activation):
        return scoring_services.evaluator_for_task(data=activation.task.data)

    def do_close_scoring(self, activation):
        scoring_services.scoring_close(challenge=fresh(activation))

    def do_open_cofunding(self, activation):
        cofunding_services.cofunding_open(challenge=fresh(activation))

    def do_close_cofunding(self, activation):
        cofunding_services.cofunding_close(challenge=fresh(activation))

    def do_generate_documents(self, task):
        document_services.documents_generate(
            challenge=Challenge.objects.get(process__pk=task.process_id)
        )

    def do_finish_documents(self, activation):
        document_services.documents_step_finish(challenge=fresh(activation))
