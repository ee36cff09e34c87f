"""The anchored heads of the hash chains that anyone may read and keep."""

from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat

from procurement.models import ChainAnchor, Challenge
from procurement.queries.challenges import _public_q


def anchors_public() -> QuerySet[ChainAnchor]:
    """The anchors of the ledgers, of ``global`` and of the published calls, oldest
    first. A sealed chain's anchors stay unpublished (they would tell when and how
    often proposals came in): the opening writes its head into the call's chain, which
    is published; nor are a draft call's (it would tell that the call exists)."""
    public = (
        Challenge.objects.filter(_public_q())
        .annotate(chain_name=Concat(Value("challenge:"), Cast("pk", output_field=CharField())))
        .values("chain_name")
    )
    return ChainAnchor.objects.filter(
        Q(chain="global") | Q(chain__startswith="ledger:") | Q(chain__in=public)
    ).order_by("seq")
