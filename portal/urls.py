"""The portal's addresses, in French (it is mounted at ``/``)."""

from django.urls import path

from portal import proconnect
from portal.views import (
    accounts,
    chambre,
    contributions,
    execution,
    funds,
    legal,
    opendata,
    public,
    tasks,
)
from portal.views.space import (
    amendment,
    answers,
    calls,
    cofunding,
    documents,
    groups,
    hosting,
    inbox,
    members,
    organisation,
    position,
    process,
    proposal,
)

app_name = "portal"

D = "espace/defis/<int:pk>/"

urlpatterns = [
    path("", public.home, name="home"),
    path("defis/<int:pk>/", public.challenge_detail, name="challenge"),
    path("defis/<int:pk>/echeances.ics", public.challenge_ics, name="challenge_ics"),
    path("defis/<int:pk>/execution/", execution.execution, name="execution"),
    path("communs/", public.commons_list, name="commons"),
    path("communs/<slug:slug>/", chambre.commons_detail, name="commons_detail"),
    path("communs/<slug:slug>/reciprocite/", public.reciprocity, name="reciprocity"),
    path("communs/<slug:slug>/comptes/", funds.ledger, name="ledger"),
    path(
        "communs/<slug:slug>/contributions/",
        contributions.commons_contributions,
        name="commons_contributions",
    ),
    path(
        "organisations/<int:pk>/contributions/",
        contributions.organisation_contributions,
        name="organisation_contributions",
    ),
    path("chambres/<int:pk>/", chambre.activity, name="chambre"),
    path("accessibilite/", legal.accessibility, name="accessibility"),
    path("mentions-legales/", legal.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", legal.privacy, name="privacy"),
    path("contact/", legal.contact, name="contact"),
    path("donnees-ouvertes/", opendata.opendata_page, name="opendata"),
    path("donnees-ouvertes/fichiers/<str:name>", opendata.opendata_file, name="opendata_file"),
    path("connexion/", public.LoginView.as_view(), name="login"),
    path("deconnexion/", public.LogoutView.as_view(), name="logout"),
    path("inscription/", accounts.signup, name="signup"),
    path("inscription/verifier/<str:token>/", accounts.verify_email, name="verify_email"),
    path("invitation/<str:token>/", accounts.invitation, name="invitation"),
    path("mot-de-passe/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "mot-de-passe/envoye/",
        accounts.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/change/",
        accounts.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("proconnect/connexion/", proconnect.ProConnectStart.as_view(), name="proconnect"),
    path("proconnect/retour/", proconnect.ProConnectCallback.as_view(), name="proconnect_callback"),
    path("proconnect/echec/", proconnect.proconnect_failed, name="proconnect_failed"),
    path("espace/", inbox.inbox, name="inbox"),
    path("espace/alertes/", inbox.alerts, name="alerts"),
    path("espace/langue-des-e-mails/", inbox.mail_language, name="mail_language"),
    path("espace/taches/<int:pk>/", tasks.task, name="task"),
    path("espace/reciprocite/", funds.reciprocity_space, name="reciprocity_space"),
    path("espace/organisations/<int:pk>/", organisation.organisation, name="organisation"),
    path("espace/organisations/<int:pk>/membres/", members.members, name="members"),
    path("espace/appels/nouveau/", calls.call_new, name="call_new"),
    path(D + "rediger/", calls.call_edit, name="call_edit"),
    path(D + "positionnement/", position.position, name="position"),
    path(D + "proposition/", proposal.proposal, name="proposal"),
    path(D + "groupes/", groups.groups, name="groups"),
    path(D + "cofinancement/", cofunding.cofunding, name="cofunding"),
    path("espace/cofinancements/", cofunding.my_cofunding, name="my_cofunding"),
    path(D + "questions/", answers.answers, name="answers"),
    path(D + "modifier/", amendment.amendment, name="amendment"),
    path(D + "processus/", process.process, name="process"),
    path(D + "hebergement/", hosting.hosting, name="hosting"),
    path(D + "donnees-essentielles/", opendata.essential_data, name="essential_data"),
    path(D + "documents/", documents.documents, name="documents"),
    path(D + "saisines/<int:referral_pk>/", chambre.referral, name="referral"),
    path(D + "documents/etat/", documents.documents_status, name="documents_status"),
]
