"""What each audit event's verb says to a person (French, English through i18n): the
audit trail keeps stable codes, the pages read them in the page's language."""

from django.utils.translation import gettext_lazy as _

VERB_LABELS = {
    "answers.published": _("Réponses aux questions publiées"),
    "award.letters_sent": _("Lettres aux candidats envoyées"),
    "catalogue.proposed": _("Commun proposé au catalogue"),
    "catalogue.reference": _("Commun référencé au catalogue"),
    "catalogue.dereference": _("Commun retiré du catalogue"),
    "challenge.amended": _("Appel modifié après publication"),
    "challenge.award_decided": _("Attribution décidée"),
    "challenge.awarded": _("Marché signé, appel attribué"),
    "challenge.cancelled": _("Appel annulé"),
    "challenge.created": _("Appel créé"),
    "challenge.essential_data_set": _("Données essentielles renseignées"),
    "challenge.published": _("Appel publié"),
    "challenge.referred_to_chambre": _("Chambre des communs saisie"),
    "challenge.revised": _("Appel révisé après avis"),
    "challenge.stage_changed": _("Changement d'étape"),
    "challenge.unsuccessful": _("Appel déclaré infructueux"),
    "challenge.updated": _("Brouillon modifié"),
    "cofunding.allocation": _("Enveloppe de cofinancement déclarée"),
    "cofunding.bucket_updated": _("Budget d'un commun modifié"),
    "cofunding.closed": _("Cofinancement clos"),
    "cofunding.contributors_granted": _("Enveloppe accordée aux contributeurs"),
    "cofunding.deadline_postponed": _("Clôture du cofinancement reportée après le vote"),
    "cofunding.moved": _("Engagement déplacé"),
    "cofunding.opened": _("Cofinancement ouvert"),
    "cofunding.pledged": _("Engagement de cofinancement"),
    "cofunding.settings": _("Règles du cofinancement modifiées"),
    "cofunding.subsidy": _("Subvention enregistrée"),
    "cofunding.withdrawn": _("Engagement retiré"),
    "commons.host_designated": _("Structure hébergeuse désignée"),
    "commons.hosting_fee_set": _("Frais d'hébergement fixés"),
    "deadline.extended": _("Échéance prolongée"),
    "documents.generated": _("Documents générés"),
    "documents.uploaded": _("Document déposé"),
    "documents.withdrawn": _("Document retiré"),
    "evaluation.conflict_declared": _("Déclaration d'intérêts"),
    "evaluation.reassigned": _("Évaluation réattribuée"),
    "evaluation.submitted": _("Évaluation rendue"),
    "evaluators.assigned": _("Évaluateurs désignés"),
    "exploration.decided": _("Issue d'une exploration décidée"),
    "exploration.started": _("Exploration commencée, budgets accordés"),
    "grid.copied": _("Grille de notation reprise"),
    "grid.set": _("Grille de notation fixée"),
    "execution.deliverable_admitted": _("Livrable admis par l'acheteur"),
    "execution.deliverable_planned": _("Livrable attendu planifié"),
    "execution.deliverable_refused": _("Livrable refusé par l'acheteur"),
    "execution.deliverable_submitted": _("Livrable remis par le titulaire"),
    "execution.milestone_planned": _("Jalon d'exécution planifié"),
    "execution.milestone_reached": _("Jalon d'exécution atteint"),
    "ledger.expense_approved": _("Dépense approuvée"),
    "ledger.expense_refused": _("Dépense refusée"),
    "ledger.expense_paid": _("Dépense payée"),
    "ledger.expense_submitted": _("Dépense soumise"),
    "ledger.exploration_granted": _("Exploration accordée"),
    "ledger.group_set": _("Groupe du compte fixé"),
    "ledger.income_recorded": _("Recette enregistrée"),
    "ledger.rule_set": _("Règle d'approbation fixée"),
    "opinion.call": _("Avis de la Chambre sur l'appel publié"),
    "opinion.selection": _("Avis de la Chambre sur la sélection publié"),
    "opinion.reservation_answered": _("Réponse à une réserve de la Chambre"),
    "organisation.identity_updated": _("Identité d'une organisation mise à jour"),
    "position.created": _("Positionnement d'un partenaire"),
    "position.updated": _("Positionnement modifié"),
    "position.withdrawn": _("Positionnement retiré"),
    "positioning.closed": _("Positionnements clos, groupes de travail constitués"),
    "process.timer_moved": _("Échéance du processus déplacée"),
    "proposal.attachment_added": _("Pièce jointe à une proposition"),
    "proposal.groupement_settled": _("Groupement d'une proposition déclaré"),
    "proposal.submitted": _("Proposition déposée (sous pli scellé)"),
    "proposals.opened": _("Ouverture des plis"),
    "proposals.selected": _("Propositions sélectionnées"),
    "question.answer_drafted": _("Réponse à une question rédigée"),
    "question.asked": _("Question posée"),
    "questions.deadline_set": _("Date limite des questions fixée"),
    "reciprocity.declared": _("Réciprocité déclarée"),
    "reciprocity.ended": _("Réciprocité terminée"),
    "reciprocity.signed": _("Contrat de réciprocité signé"),
    "referral.commented": _("Commentaire sur la saisine"),
    "referral.drafted": _("Projet d'avis enregistré"),
    "referral.opened": _("Saisine de la Chambre ouverte"),
    "referral.rapporteur": _("Rapporteur nommé"),
    "referral.returned": _("Projet d'avis renvoyé au rapporteur"),
    "referral.submitted": _("Projet d'avis soumis au modérateur"),
    "scoring.closed": _("Évaluations closes, classement établi"),
    "scoring.round_opened": _("Nouveau tour d'évaluation"),
    "task.claimed": _("Tâche prise"),
    "task.completed": _("Tâche terminée"),
    "task.expired": _("Échéance passée"),
    "task.released": _("Tâche rendue"),
    "task.unclaimed": _("Tâche rendue"),
    "vote.planned": _("Vote collectif prévu"),
    "vote.unplanned": _("Vote collectif retiré de l'appel"),
    "vote.opened": _("Vote collectif ouvert"),
    "vote.ballot_cast": _("Bulletin de vote déposé ou modifié"),
    "vote.closed": _("Vote collectif dépouillé, communs retenus"),
    "working_group.coordinator": _("Coordinateur du groupe de travail désigné"),
    "working_group.links": _("Liens du groupe de travail (salon, wiki) modifiés"),
    "facilitator.designated": _("Animateur de l'appel désigné"),
    "facilitator.conflict": _("Neutralité de l'animateur en cause : animation suspendue"),
    "meeting.scheduled": _("Réunion de groupe de travail programmée"),
    "meeting.minutes": _("Compte rendu de réunion écrit"),
    "motion.filed": _("Motion déposée à la Chambre"),
    "motion.decided": _("Motion examinée par le modérateur"),
    "motion.action_added": _("Action ajoutée au plan d'une motion"),
    "motion.action_updated": _("Action du plan d'une motion mise à jour"),
}


def verb_label(verb: str) -> str:
    """The verb as a person reads it; an unknown verb (a new one) shows its code."""
    label = VERB_LABELS.get(verb)
    return str(label) if label is not None else verb


def event_text(event) -> str:
    """An audit event in words: its verb, and for a change of stage where from and to."""
    text = verb_label(event.verb)
    if event.verb == "challenge.stage_changed":
        from procurement.models import ChallengeStatus

        data = event.data or {}
        names = {value: label for value, label in ChallengeStatus.choices}
        before, after = names.get(data.get("from")), names.get(data.get("to"))
        if before and after:
            text = f"{text} : {before} → {after}"
    elif event.verb == "exploration.decided":
        data = event.data or {}
        verdict = _("a fait ses preuves") if data.get("proven") else _("n'a pas fait ses preuves")
        text = f"{text} : « {data.get('title', '')} » {verdict} — {data.get('reason', '')}"
    return text


def event_actor(event) -> str:
    """Who did it, by name: the person (full name, else username), else the process
    itself (a deadline, a job)."""
    if event.actor is not None:
        return event.actor.get_full_name() or event.actor.get_username()
    return event.actor_label or str(_("Processus (automatique)"))
