from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Le journal d'audit est en ajout seul.")

    def delete(self):
        raise AppendOnlyError("Le journal d'audit est en ajout seul.")


class AuditEvent(models.Model):
    """One entry of the append-only, hash-chained audit trail.

    Each challenge has its own chain (``chain`` = ``challenge:<id>``; events with no
    challenge go to ``global``). ``hash`` covers the event's content and the previous
    event's hash, so editing or deleting any row breaks every later link.
    """

    # Indexed by ``audit_event_chain_prefix`` and, for a chain's rows in order, by the
    # unique (chain, seq): a plain index on ``chain`` alone would only duplicate them.
    chain = models.CharField(max_length=40)
    seq = models.PositiveIntegerField()
    challenge = models.ForeignKey(
        "procurement.Challenge",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    verb = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    # Unique by ``audit_event_hash_unique``: a ``unique=True`` field would bring, on
    # PostgreSQL, a second index for LIKE that nothing reads, written on every event.
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["chain", "seq"]
        verbose_name = _("événement d'audit")
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique"),
            models.UniqueConstraint(fields=["hash"], name="audit_event_hash_unique"),
        ]
        indexes = [
            # A call's proposals' chains read by their names' prefix (``sealed:7:``,
            # ``proposal_chains_q``): on PostgreSQL only an index in the bytes' order
            # serves a LIKE prefix whatever the database's collation. (Django ignores the
            # operator class elsewhere: on SQLite a plain index on ``chain``.)
            models.Index(
                fields=["chain"], opclasses=["varchar_pattern_ops"], name="audit_event_chain_prefix"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.chain} #{self.seq} {self.verb}"

    def save(self, *args, **kwargs):
        # Append-only: an existing row is never rewritten through the ORM.
        if self.pk is not None:
            raise AppendOnlyError("Le journal d'audit est en ajout seul.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Le journal d'audit est en ajout seul.")


class AuditChainHead(models.Model):
    """The last link of each chain: it makes the removal of the newest rows detectable,
    and its row is the lock that keeps appends to one chain in order."""

    chain = models.CharField(max_length=40, unique=True)
    seq = models.PositiveIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.chain} @ {self.seq}"


class ChainCheckpoint(models.Model):
    """The last row of a chain found whole by the audit endpoint's verification: the next
    verification re-hashes only the rows after it, and checks that the chain still
    passes through it (``procurement.services.chains.incremental``). Only moves forward,
    and only over rows that verify; the full verification ignores it."""

    chain = models.CharField(max_length=40, unique=True)
    seq = models.PositiveIntegerField()
    hash = models.CharField(max_length=64)
    verified_at = models.DateTimeField()

    class Meta:
        verbose_name = _("point de vérification d'une chaîne")

    def __str__(self) -> str:
        return f"{self.chain} vérifiée jusqu'à {self.seq}"


class ChainAnchorQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("La liste des têtes ancrées est en ajout seul.")

    def delete(self):
        raise AppendOnlyError("La liste des têtes ancrées est en ajout seul.")


class ChainAnchor(models.Model):
    """One chain's head as it stood when it was anchored: signed, append-only, published.

    Recomputing every hash of a chain after an edit makes the chain whole again; it no
    longer ends at the hash anchored here (``chain_seq``, ``hash``), and the anchor's
    signature (HMAC with ``CHAIN_ANCHOR_KEY``, a key outside the database) cannot be
    redone without the key. The anchors form a list of their own (``seq``), each
    signature covering the previous one's, so a removed anchor leaves a gap.
    ``procurement.services.chains`` writes and verifies them.
    """

    seq = models.PositiveIntegerField(unique=True)
    chain = models.CharField(max_length=40, db_index=True)
    chain_seq = models.PositiveIntegerField()
    hash = models.CharField(max_length=64)
    anchored_at = models.DateTimeField()
    # The previous anchor's signature, covered by this one's: the anchors link up too.
    prev_signature = models.CharField(max_length=64, blank=True)
    signature = models.CharField(max_length=64)

    objects = ChainAnchorQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("tête de chaîne ancrée")
        constraints = [
            models.UniqueConstraint(fields=["chain", "chain_seq"], name="chain_anchor_unique"),
        ]

    def __str__(self) -> str:
        return f"ancre {self.seq} : {self.chain} @ {self.chain_seq}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("La liste des têtes ancrées est en ajout seul.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("La liste des têtes ancrées est en ajout seul.")
