from django.db import models
from viewflow.workflow.models import Process


class ChallengeProcess(Process):
    """The process of one challenge (one viewflow process per appel à communs)."""

    challenge = models.OneToOneField(
        "procurement.Challenge", on_delete=models.CASCADE, related_name="process"
    )

    class Meta:
        verbose_name = "processus d'appel à communs"
