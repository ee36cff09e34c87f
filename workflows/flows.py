"""The process of an appel à communs, as one viewflow flow.

Every step is declared here, once. A human step is a ``Step`` node: its title, who acts,
the data it takes, the one operation it calls, and its portal page; the task API, the
portal, the inbox and the chart read them from the node. Human steps are completed
through ``workflows.services.task_complete`` (the task API and the portal); automatic
steps call one service each; the deadlines are database timers fired by the periodic
sweep, so they hold with nobody clicking and survive restarts.

    draft ─► call_opinion ─► (reservations? revise ─► call_opinion again, or go on) ─► publish
      ─► positioning (timer) ─► close_positioning ─► proposals (timer) ─► open_proposals
      ─► (none submitted? unsuccessful ─► end_unsuccessful)
      ─► assign_evaluators ─► split: score × evaluator ─► join ─► close_scoring ─► select
      ─► selection_opinion
      ─► (exploration planned? start_exploration ─► exploration (timer)
          ─► decide_exploration ─► (a commons proven? or no round: generate_documents))
      ─► (collective vote planned? open_vote ─► vote (timer) ─► close_vote)
      ─► open_cofunding ─► cofunding (timer) ─► close_cofunding
      ─► generate_documents (Celery) ─► award (the decision)
      ─► rejection_letters (Celery: letters generated, e-mailed, in the candidates' space)
      ─► (formal procedure? standstill (timer, 11 days, R2182-1)) ─► sign ─► end
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from procurement.models import Challenge, ChallengeStatus, DocumentStage, OpinionSubject
from procurement.services import award as award_services
from procurement.services import challenges as challenge_services
from procurement.services import cofunding as cofunding_services
from procurement.services import documents as document_services
from procurement.services import exploration as exploration_services
from procurement.services import opinions as opinion_services
from procurement.services import positions as position_services
from procurement.services import selection as selection_services
from scoring import services as scoring_services
from scoring.services import votes as vote_services
from workflows import documents, operations
from workflows import step_data as data
from workflows.models import ChallengeProcess
from workflows.nodes import Actor, CeleryJob, DynamicSplit, Step


def fresh(activation) -> Challenge:
    """The challenge as the services left it (never a copy cached on the process)."""
    return Challenge.objects.select_related("buyer", "chambre").get(
        pk=activation.process.challenge_id
    )


class ChallengeFlow(flow.Flow):
    process_class = ChallengeProcess
    # Joins need a real lock; on SQLite the IMMEDIATE transactions serialise writers.
    lock_impl = lock.select_for_update_lock
    process_title = _("Appel à communs")
    process_description = _("Du brouillon à l'attribution d'un appel à communs.")

    start = (
        flow.StartHandle(this.start_process)
        .Annotation(title=_("Création de l'appel"))
        .Next(this.draft)
    )

    draft = Step(
        title=_("Rédiger l'appel"),
        description=_("L'acheteur rédige l'appel et saisit la Chambre."),
        acts=Actor.BUYER,
        data=data.DraftData,
        call=this.refer_call,
        template="portal/tasks/draft.html",
        form="portal.forms.tasks.DraftForm",
    ).Next(this.call_opinion)
    call_opinion = Step(
        title=_("Avis de la Chambre sur l'appel"),
        acts=Actor.CHAMBRE,
        data=data.OpinionData,
        call=this.publish_call_opinion,
        template="portal/tasks/opinion.html",
        form="portal.forms.tasks.OpinionForm",
    ).Next(this.check_call_opinion)
    check_call_opinion = (
        flow.If(this.call_opinion_favorable)
        .Annotation(title=_("Avis favorable ?"))
        .Then(this.publish)
        .Else(this.revise)
    )
    revise = Step(
        title=_("Réviser l'appel après avis"),
        acts=Actor.BUYER,
        data=data.ReviseData,
        call=this.revise_call,
        template="portal/tasks/revise.html",
        form="portal.forms.tasks.ReviseForm",
    ).Next(this.check_revision)
    check_revision = (
        flow.If(this.resubmitted)
        .Annotation(title=_("Nouvel avis demandé ?"))
        .Then(this.call_opinion)
        .Else(this.publish)
    )
    publish = Step(
        title=_("Publier l'appel"),
        acts=Actor.BUYER,
        data=data.PublishData,
        call=this.publish_call,
        template="portal/tasks/publish.html",
        form="portal.forms.tasks.PublishForm",
    ).Next(this.positioning)

    positioning = (
        flow.Timer(this.positioning_deadline)
        .Annotation(title=_("Fin des positionnements"))
        .Next(this.close_positioning)
    )
    close_positioning = (
        flow.Function(this.do_close_positioning)
        .Annotation(title=_("Constitution des groupes de travail"))
        .Next(this.proposals)
    )
    proposals = (
        flow.Timer(this.proposal_deadline)
        .Annotation(title=_("Date limite des propositions"))
        .Next(this.open_proposals)
    )
    open_proposals = (
        flow.Function(this.do_open_proposals)
        .Annotation(title=_("Ouverture des plis"))
        .Next(this.check_proposals)
    )
    check_proposals = (
        flow.If(this.has_proposals)
        .Annotation(title=_("Des propositions déposées ?"))
        .Then(this.assign_evaluators)
        .Else(this.unsuccessful)
    )
    unsuccessful = (
        flow.Function(this.do_unsuccessful)
        .Annotation(title=_("Appel infructueux"))
        .Next(this.end_unsuccessful)
    )
    end_unsuccessful = flow.End().Annotation(title=_("Fin sans résultat"))

    assign_evaluators = Step(
        title=_("Désigner les évaluateurs"),
        acts=Actor.BUYER,
        data=data.AssignData,
        call=this.assign_evaluators_to,
        template="portal/tasks/assign_evaluators.html",
        form="portal.forms.tasks.AssignEvaluatorsForm",
    ).Next(this.split_scoring)
    split_scoring = (
        DynamicSplit()
        .Annotation(title=_("Une évaluation par évaluateur"))
        .Each(this.score, this.evaluator_tasks)
    )
    score = (
        Step(
            title=_("Évaluer les propositions"),
            acts=Actor.ASSIGNED,
            data=data.ScoreData,
            call=this.submit_scores,
            template="portal/tasks/score.html",
            form="portal.forms.scoring.ScoreForm",
        )
        .Assign(this.evaluator_of)
        .Next(this.join_scoring)
    )
    join_scoring = (
        flow.Join().Annotation(title=_("Toutes les évaluations rendues")).Next(this.close_scoring)
    )
    close_scoring = (
        flow.Function(this.do_close_scoring)
        .Annotation(title=_("Classement des propositions"))
        .Next(this.select)
    )
    select = Step(
        title=_("Sélectionner les propositions"),
        acts=Actor.BUYER,
        data=data.SelectData,
        call=this.select_proposals,
        template="portal/tasks/select.html",
        form="portal.forms.tasks.SelectForm",
    ).Next(this.selection_opinion)
    selection_opinion = Step(
        title=_("Avis de la Chambre sur la sélection"),
        acts=Actor.CHAMBRE,
        data=data.OpinionData,
        call=this.publish_selection_opinion,
        template="portal/tasks/opinion.html",
        form="portal.forms.tasks.OpinionForm",
    ).Next(this.check_exploration)

    # Exploration before cofunding (seed 003; ``procurement.services.exploration``): a
    # call that plans none goes on to the cofunding as before. Otherwise each selected
    # team explores with its budget until the call's exploration end, then the buyer says
    # which commons proved themselves: only those get a bucket in the round. When none
    # did, no round opens and the award pieces follow (the award stays the buyer's
    # decision, with a reason for each lot it leaves unawarded, R2185-1).
    check_exploration = (
        flow.If(this.exploration_planned)
        .Annotation(title=_("Phase d'exploration ?"))
        .Then(this.start_exploration)
        .Else(this.check_vote)
    )
    start_exploration = (
        flow.Function(this.do_start_exploration)
        .Annotation(title=_("Budgets d'exploration accordés"))
        .Next(this.exploration)
    )
    exploration = (
        flow.Timer(this.exploration_end)
        .Annotation(title=_("Fin de l'exploration"))
        .Next(this.decide_exploration)
    )
    decide_exploration = Step(
        title=_("Décider de l'issue de l'exploration"),
        description=_(
            "Pour chaque commun exploré, l'acheteur dit, motif à l'appui, s'il a fait ses "
            "preuves : seuls ceux-là sont cofinancés."
        ),
        acts=Actor.BUYER,
        data=data.ExplorationData,
        call=this.decide_explorations,
        template="portal/tasks/exploration.html",
        form="portal.forms.tasks.ExplorationForm",
    ).Next(this.check_proven)
    check_proven = (
        flow.If(this.exploration_proven)
        .Annotation(title=_("Un commun a fait ses preuves ?"))
        .Then(this.check_vote)
        .Else(this.generate_documents)
    )

    # The collective vote (seed 003): the call's funders and contributors choose by
    # majority judgment which selected commons the round cofinances
    # (``scoring.services.votes``). A call that plans none goes straight to the round.
    check_vote = (
        flow.If(this.vote_planned)
        .Annotation(title=_("Vote collectif ?"))
        .Then(this.open_vote)
        .Else(this.open_cofunding)
    )
    open_vote = (
        flow.Function(this.do_open_vote)
        .Annotation(title=_("Ouverture du vote collectif"))
        .Next(this.vote)
    )
    vote = (
        flow.Timer(this.vote_deadline)
        .Annotation(title=_("Clôture du vote collectif"))
        .Next(this.close_vote)
    )
    close_vote = (
        flow.Function(this.do_close_vote)
        .Annotation(title=_("Dépouillement du vote collectif"))
        .Next(this.open_cofunding)
    )

    open_cofunding = (
        flow.Function(this.do_open_cofunding)
        .Annotation(title=_("Ouverture du cofinancement"))
        .Next(this.cofunding)
    )
    cofunding = (
        flow.Timer(this.cofunding_deadline)
        .Annotation(title=_("Clôture du cofinancement"))
        .Next(this.close_cofunding)
    )
    close_cofunding = (
        flow.Function(this.do_close_cofunding)
        .Annotation(title=_("Bilan du cofinancement"))
        .Next(this.generate_documents)
    )
    generate_documents = (
        CeleryJob(
            this.do_finish_documents,
            work=this.do_generate_documents,
            queued=this.do_queue_documents,
        )
        .Annotation(title=_("Génération du dossier de consultation"))
        .Next(this.award)
    )
    award = Step(
        title=_("Décider l'attribution"),
        description=_(
            "L'acheteur désigne les attributaires ; les candidats non retenus reçoivent "
            "leur lettre de rejet."
        ),
        acts=Actor.BUYER,
        data=data.AwardData,
        call=this.award_contracts,
        template="portal/tasks/award.html",
        form="portal.forms.tasks.AwardForm",
    ).Next(this.rejection_letters)
    rejection_letters = (
        CeleryJob(this.do_send_letters, work=this.do_generate_letters, queued=this.do_queue_letters)
        .Annotation(title=_("Lettres de rejet aux candidats"))
        .Next(this.check_standstill)
    )
    check_standstill = (
        flow.If(this.standstill_due)
        .Annotation(title=_("Délai de suspension ?"))
        .Then(this.standstill)
        .Else(this.sign)
    )
    standstill = (
        flow.Timer(this.standstill_end)
        .Annotation(title=_("Fin du délai de suspension"))
        .Next(this.sign)
    )
    sign = Step(
        title=_("Signer le marché"),
        description=_("L'acheteur signe le marché au terme du délai de suspension."),
        acts=Actor.BUYER,
        data=data.SignData,
        call=this.sign_contracts,
        template="portal/tasks/sign.html",
        form="portal.forms.tasks.SignForm",
    ).Next(this.end)
    end = flow.End().Annotation(title=_("Attribution prononcée"))

    # --- the human steps' calls: one operation each ----------------------------------

    def refer_call(self, *, challenge, actor, note):
        operations.call_refer(challenge=challenge, actor=actor, note=note)

    def publish_call_opinion(self, *, challenge, actor):
        opinion_services.referral_publish(
            challenge=challenge, actor=actor, subject=OpinionSubject.CALL
        )

    def revise_call(self, *, challenge, actor, resubmit, answers):
        operations.call_revise(challenge=challenge, actor=actor, resubmit=resubmit, answers=answers)

    def publish_call(self, *, challenge, actor, **deadlines):
        operations.call_publish(challenge=challenge, actor=actor, **deadlines)

    def assign_evaluators_to(self, *, challenge, actor, evaluators=None, assignments=None):
        scoring_services.evaluators_assign(
            challenge=challenge, actor=actor, evaluator_ids=evaluators, assignments=assignments
        )

    def submit_scores(self, *, challenge, actor, evaluations):
        scoring_services.scoring_submit_all(
            actor=actor, challenge=challenge, evaluations=evaluations
        )

    def select_proposals(self, *, challenge, actor, proposals, **selection):
        operations.selection_make(
            challenge=challenge, actor=actor, proposal_ids=proposals, **selection
        )

    def publish_selection_opinion(self, *, challenge, actor):
        opinion_services.referral_publish(
            challenge=challenge, actor=actor, subject=OpinionSubject.SELECTION
        )

    def decide_explorations(self, *, challenge, actor, decisions):
        exploration_services.exploration_decide(
            challenge=challenge, actor=actor, decisions=decisions
        )

    def award_contracts(self, *, challenge, actor, proposals, standstill=False, lot_reasons=None):
        selection_services.challenge_award(
            challenge=challenge,
            actor=actor,
            proposal_ids=proposals,
            standstill=standstill,
            lot_reasons=lot_reasons,
        )

    def sign_contracts(self, *, challenge, actor):
        operations.contract_conclude(challenge=challenge, actor=actor)

    # --- the automatic steps' callbacks: one call each ----------------------------------

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
        operations.proposals_open(challenge=fresh(activation))

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

    def vote_planned(self, activation):
        return vote_services.vote_planned(fresh(activation))

    def do_open_vote(self, activation):
        vote_services.vote_open(challenge=fresh(activation))

    def vote_deadline(self, activation):
        return vote_services.vote_of(fresh(activation)).ends_at

    def do_close_vote(self, activation):
        vote_services.vote_close(challenge=fresh(activation))

    def exploration_planned(self, activation):
        return fresh(activation).status == ChallengeStatus.EXPLORATION

    def do_start_exploration(self, activation):
        exploration_services.exploration_start(challenge=fresh(activation))

    def exploration_end(self, activation):
        return fresh(activation).exploration_end

    def exploration_proven(self, activation):
        return exploration_services.exploration_any_proven(fresh(activation))

    def do_open_cofunding(self, activation):
        operations.cofunding_open(challenge=fresh(activation))

    def do_close_cofunding(self, activation):
        cofunding_services.cofunding_close(challenge=fresh(activation))

    def do_queue_documents(self, activation):
        document_services.document_job_queue(challenge=fresh(activation), stage=DocumentStage.AWARD)

    def do_generate_documents(self, task):
        documents.documents_generate(challenge=Challenge.objects.get(process__pk=task.process_id))

    def do_finish_documents(self, activation):
        document_services.documents_step_finish(challenge=fresh(activation))

    def do_queue_letters(self, activation):
        document_services.document_job_queue(
            challenge=fresh(activation), stage=DocumentStage.LETTERS
        )

    def do_generate_letters(self, task):
        documents.letters_generate(challenge=Challenge.objects.get(process__pk=task.process_id))

    def do_send_letters(self, activation):
        award_services.award_letters_send(challenge=fresh(activation))

    def standstill_due(self, activation):
        return fresh(activation).status == ChallengeStatus.STANDSTILL

    def standstill_end(self, activation):
        return fresh(activation).standstill_ends_at
