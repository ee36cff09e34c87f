from django.urls import path

from api.ranking import RankingCsv, RankingView, RankingXlsx
from api.scoring import (
    AssignmentDeclare,
    AssignmentList,
    EvaluationList,
    GridCopy,
    GridView,
    RoundList,
)
from api.votes import MyBallot, VoteDetail, VoteResults

from . import (
    amendments,
    audit,
    auth,
    challenges,
    chambre,
    cofunding,
    commons,
    community,
    contributions,
    deadlines,
    documents,
    execution,
    exploration,
    ledger,
    members,
    notifications,
    opendata,
    opinions,
    organisations,
    positions,
    proposals,
    questions,
    reciprocity,
)

C = "challenges/<int:challenge_pk>/"
L = "commons/<int:commons_pk>/ledger/"

urlpatterns = [
    # Expiring tokens (api.auth): issue or revoke, and rotate while valid.
    path("auth/token/", auth.ObtainToken.as_view(), name="auth-token"),
    path("auth/token/refresh/", auth.RefreshToken.as_view(), name="auth-token-refresh"),
    path("organisations/", organisations.OrganisationList.as_view(), name="organisation-list"),
    path(
        "organisations/<int:pk>/",
        organisations.OrganisationDetail.as_view(),
        name="organisation-detail",
    ),
    path("organisations/<int:pk>/members/", members.MemberList.as_view(), name="member-list"),
    path(
        "organisations/<int:pk>/members/<int:user_id>/",
        members.MemberDetail.as_view(),
        name="member-detail",
    ),
    path("commons/", commons.CommonsList.as_view(), name="commons-list"),
    # The open data of the signed contracts, for anyone (DECP and OCDS).
    path("opendata/decp/", opendata.DecpFeed.as_view(), name="opendata-decp"),
    path("opendata/ocds/releases/", opendata.OcdsReleases.as_view(), name="opendata-releases"),
    path("opendata/ocds/records/", opendata.OcdsRecords.as_view(), name="opendata-records"),
    path("subscriptions/", notifications.SubscriptionList.as_view(), name="subscription-list"),
    path(
        "subscriptions/<int:pk>/",
        notifications.SubscriptionDetail.as_view(),
        name="subscription-detail",
    ),
    path(
        "commons/<int:pk>/decisions/",
        chambre.CommonsDecisions.as_view(),
        name="commons-decisions",
    ),
    path("chambres/<int:pk>/activity/", chambre.ChambreActivity.as_view(), name="chambre-activity"),
    path("chambres/<int:pk>/motions/", community.MotionList.as_view(), name="motion-list"),
    path("motions/<int:pk>/", community.MotionDetail.as_view(), name="motion-detail"),
    path("motions/<int:pk>/decision/", community.MotionDecision.as_view(), name="motion-decision"),
    path("motions/<int:pk>/actions/", community.MotionActions.as_view(), name="motion-actions"),
    path(
        "motions/<int:pk>/actions/<int:action_pk>/",
        community.MotionActionDetail.as_view(),
        name="motion-action-detail",
    ),
    path("facilitation/", community.FacilitationInbox.as_view(), name="facilitation-inbox"),
    path("commons/<int:pk>/", commons.CommonsDetail.as_view(), name="commons-detail"),
    path(
        "commons/<int:pk>/contributions/",
        contributions.CommonsContributions.as_view(),
        name="commons-contributions",
    ),
    path(
        "commons/<int:pk>/execution/",
        execution.CommonsExecutionView.as_view(),
        name="commons-execution",
    ),
    path(
        "organisations/<int:pk>/contributions/",
        contributions.OrganisationContributions.as_view(),
        name="organisation-contributions",
    ),
    path(
        "commons/<int:pk>/reciprocity/",
        reciprocity.ReciprocityBoard.as_view(),
        name="reciprocity-board",
    ),
    path(
        "reciprocity/commitments/",
        reciprocity.CommitmentList.as_view(),
        name="reciprocity-commitment-list",
    ),
    path(
        "reciprocity/commitments/<int:pk>/end/",
        reciprocity.CommitmentEnd.as_view(),
        name="reciprocity-commitment-end",
    ),
    path(
        "reciprocity/commitments/<int:pk>/declarations/",
        reciprocity.CommitmentDeclarations.as_view(),
        name="reciprocity-commitment-declarations",
    ),
    path(
        "reciprocity/declarations/",
        reciprocity.DeclarationList.as_view(),
        name="reciprocity-declaration-list",
    ),
    path(L, ledger.LedgerView.as_view(), name="ledger"),
    path(L + "rule/", ledger.LedgerRule.as_view(), name="ledger-rule"),
    path(L + "group/", ledger.LedgerGroup.as_view(), name="ledger-group"),
    path(L + "incomes/", ledger.IncomeList.as_view(), name="ledger-income-list"),
    path(L + "expenses/", ledger.ExpenseList.as_view(), name="ledger-expense-list"),
    path(L + "expenses/<int:pk>/approve/", ledger.ExpenseApprove.as_view(), name="expense-approve"),
    path(L + "expenses/<int:pk>/refuse/", ledger.ExpenseRefuse.as_view(), name="expense-refuse"),
    path(L + "expenses/<int:pk>/pay/", ledger.ExpensePay.as_view(), name="expense-pay"),
    path(L + "expenses/<int:pk>/invoice/", ledger.ExpenseInvoice.as_view(), name="expense-invoice"),
    path(L + "exploration/", ledger.ExplorationGrant.as_view(), name="ledger-exploration"),
    path(L + "export.csv", ledger.LedgerCsv.as_view(), name="ledger-csv"),
    path("challenges/", challenges.ChallengeList.as_view(), name="challenge-list"),
    path(C, challenges.ChallengeDetail.as_view(), name="challenge-detail"),
    path(C + "cancel/", challenges.ChallengeCancel.as_view(), name="challenge-cancel"),
    path(
        C + "essential-data/",
        challenges.ChallengeEssentialData.as_view(),
        name="challenge-essential-data",
    ),
    path(C + "resources/", challenges.ResourceList.as_view(), name="resource-list"),
    path(C + "resources/<int:pk>/host/", challenges.ResourceHost.as_view(), name="resource-host"),
    path(C + "lots/", challenges.LotList.as_view(), name="lot-list"),
    path(C + "execution/", execution.ExecutionView.as_view(), name="execution"),
    path(
        C + "execution/lots/<int:lot_pk>/deliverables/",
        execution.DeliverablePlan.as_view(),
        name="execution-deliverable-plan",
    ),
    path(
        C + "execution/deliverables/<int:pk>/submit/",
        execution.DeliverableSubmit.as_view(),
        name="execution-deliverable-submit",
    ),
    path(
        C + "execution/deliverables/<int:pk>/decide/",
        execution.DeliverableDecide.as_view(),
        name="execution-deliverable-decide",
    ),
    path(
        C + "execution/lots/<int:lot_pk>/milestones/",
        execution.MilestonePlan.as_view(),
        name="execution-milestone-plan",
    ),
    path(
        C + "execution/milestones/<int:pk>/reach/",
        execution.MilestoneReach.as_view(),
        name="execution-milestone-reach",
    ),
    path(C + "exploration/", exploration.ExplorationView.as_view(), name="exploration"),
    path(C + "questions/", questions.QuestionList.as_view(), name="question-list"),
    path(
        C + "questions/<int:pk>/answer/", questions.QuestionAnswer.as_view(), name="question-answer"
    ),
    path(C + "questions/publish/", deadlines.AnswersPublish.as_view(), name="answers-publish"),
    path(
        C + "questions/deadline/",
        deadlines.QuestionsDeadlineSet.as_view(),
        name="questions-deadline",
    ),
    path(C + "deadlines/extend/", deadlines.DeadlineExtend.as_view(), name="deadline-extend"),
    path(C + "deadline-notices/", deadlines.DeadlineNoticeList.as_view(), name="deadline-notices"),
    path(C + "positions/", positions.PositionList.as_view(), name="position-list"),
    path(C + "positions/<int:pk>/", positions.PositionDetail.as_view(), name="position-detail"),
    path(C + "working-groups/", positions.WorkingGroupList.as_view(), name="working-group-list"),
    path(
        C + "facilitator/", community.ChallengeFacilitator.as_view(), name="challenge-facilitator"
    ),
    path(
        C + "working-groups/<int:group_pk>/space/",
        community.GroupSpace.as_view(),
        name="working-group-space",
    ),
    path(
        C + "working-groups/<int:group_pk>/meetings/",
        community.MeetingList.as_view(),
        name="meeting-list",
    ),
    path(
        C + "working-groups/<int:group_pk>/meetings/<int:pk>/minutes/",
        community.MeetingMinutes.as_view(),
        name="meeting-minutes",
    ),
    path(
        C + "working-groups/<int:pk>/",
        positions.WorkingGroupDetail.as_view(),
        name="working-group-detail",
    ),
    path(
        C + "working-groups/<int:pk>/coordinator/",
        positions.WorkingGroupCoordinator.as_view(),
        name="working-group-coordinator",
    ),
    path(C + "proposals/", proposals.ProposalList.as_view(), name="proposal-list"),
    path(C + "proposals/<int:pk>/", proposals.ProposalDetail.as_view(), name="proposal-detail"),
    path(
        C + "proposals/<int:pk>/groupement/",
        proposals.ProposalGroupement.as_view(),
        name="proposal-groupement",
    ),
    path(
        C + "proposals/<int:pk>/attachments/",
        proposals.ProposalAttachmentList.as_view(),
        name="proposal-attachment-list",
    ),
    path(
        C + "proposals/<int:pk>/attachments/<int:attachment_pk>/",
        proposals.ProposalAttachmentFile.as_view(),
        name="proposal-attachment-file",
    ),
    # The grid's view is the scoring app's: it takes the descriptions of the levels.
    path(C + "grid/", GridView.as_view(), name="grid"),
    path(C + "grid/copy/", GridCopy.as_view(), name="grid-copy"),
    path(C + "assignments/", AssignmentList.as_view(), name="assignment-list"),
    path(
        C + "assignments/<int:pk>/declare/",
        AssignmentDeclare.as_view(),
        name="assignment-declare",
    ),
    path(C + "evaluations/", EvaluationList.as_view(), name="evaluation-list"),
    path(C + "rounds/", RoundList.as_view(), name="scoring-round-list"),
    path(C + "ranking/", RankingView.as_view(), name="ranking"),
    path(C + "ranking/export.csv", RankingCsv.as_view(), name="ranking-csv"),
    path(C + "ranking/export.xlsx", RankingXlsx.as_view(), name="ranking-xlsx"),
    path(C + "vote/", VoteDetail.as_view(), name="vote"),
    path(C + "vote/ballot/", MyBallot.as_view(), name="vote-ballot"),
    path(C + "vote/results/", VoteResults.as_view(), name="vote-results"),
    path(C + "opinions/", opinions.OpinionList.as_view(), name="opinion-list"),
    path(
        C + "opinions/<int:pk>/answers/",
        chambre.ReservationAnswerView.as_view(),
        name="opinion-answer",
    ),
    path(C + "referrals/", chambre.ReferralList.as_view(), name="referral-list"),
    path(C + "referrals/<int:pk>/", chambre.ReferralDetail.as_view(), name="referral-detail"),
    path(
        C + "referrals/<int:pk>/rapporteur/",
        chambre.ReferralRapporteur.as_view(),
        name="referral-rapporteur",
    ),
    path(
        C + "referrals/<int:pk>/comments/",
        chambre.ReferralComments.as_view(),
        name="referral-comments",
    ),
    path(C + "referrals/<int:pk>/draft/", chambre.ReferralDraft.as_view(), name="referral-draft"),
    path(
        C + "referrals/<int:pk>/return/", chambre.ReferralReturn.as_view(), name="referral-return"
    ),
    path(C + "cofunding/", cofunding.CofundingView.as_view(), name="cofunding"),
    path(
        C + "cofunding/allocations/", cofunding.AllocationCreate.as_view(), name="allocation-create"
    ),
    path(C + "cofunding/pledges/", cofunding.PledgeCreate.as_view(), name="pledge-create"),
    path(C + "cofunding/pledges/<int:pk>/", cofunding.PledgeDetail.as_view(), name="pledge-detail"),
    path(
        C + "cofunding/settings/", cofunding.CofundingSettings.as_view(), name="cofunding-settings"
    ),
    path(C + "cofunding/buckets/<int:pk>/", cofunding.BucketDetail.as_view(), name="bucket-detail"),
    path(
        C + "cofunding/pledges/<int:pk>/move/", cofunding.PledgeMove.as_view(), name="pledge-move"
    ),
    path(
        C + "cofunding/allocations/contributors/",
        cofunding.ContributorAllocations.as_view(),
        name="allocation-contributors",
    ),
    path(C + "cofunding/subsidies/", cofunding.SubsidyCreate.as_view(), name="subsidy-create"),
    path(C + "cofunding/matching/", cofunding.MatchingOfferList.as_view(), name="matching-list"),
    path(
        C + "cofunding/matching/<int:pk>/",
        cofunding.MatchingOfferDetail.as_view(),
        name="matching-detail",
    ),
    path(C + "documents/", documents.DocumentList.as_view(), name="document-list"),
    path(C + "amendments/", amendments.Amendments.as_view(), name="amendments"),
    path(C + "documents/zip/", documents.DocumentPackZip.as_view(), name="document-zip"),
    path(C + "documents/upload/", documents.DocumentUpload.as_view(), name="document-upload"),
    path(
        C + "documents/<int:pk>/download/",
        documents.DocumentDownload.as_view(),
        name="document-download",
    ),
    path(C + "audit/", audit.AuditView.as_view(), name="audit"),
    path("chains/verification/", audit.ChainVerificationView.as_view(), name="chain-verification"),
    path("chains/anchors/", audit.ChainAnchorList.as_view(), name="chain-anchor-list"),
]
