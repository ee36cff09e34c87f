"""The indexes of the submission path and of a call's sealed chains (issue 20).

- ``AuditEvent.chain``: its plain index (and, on PostgreSQL, the ``varchar_pattern_ops``
  index Django adds beside it) replaced by one named index with that operator class,
  ``audit_event_chain_prefix``. A call's proposals' chains are read by their names'
  prefix (``sealed:7:``, ``proposal_chains_q``): on PostgreSQL only an index in the
  bytes' order serves a LIKE prefix, whatever the database's collation; a chain's rows
  in order are read through the unique (chain, seq), which the plain index duplicated.
  On SQLite, where Django ignores the operator class, a plain index on ``chain`` as
  before.
- ``AuditEvent.hash``: unique by a named constraint rather than ``unique=True``, which
  on PostgreSQL also brought a ``varchar_pattern_ops`` index that no query reads (no
  LIKE on a hash), written on every event.
- ``Proposal.group``: no index of its own, the unique ``proposal_one_per_group`` is one
  on ``group_id`` on both databases.

The proposal-lot table keeps its index on ``proposal_id``, which its unique
(proposal_id, lot_id) duplicates: Django creates both for a ``ManyToManyField``'s own
table and offers no way to leave one out short of a through model of our own.

The new index is created before the old ones go, so a prefix read always has one.

No index on the calls' visibility (status, published_at, buyer): it made the lists'
count cheaper, but SQLite then read the page through it as well and sorted every
visible call to keep twenty (see ``Challenge.Meta``).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0033_hosting_fee_inclusion_reservations"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["chain"], name="audit_event_chain_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="chain",
            field=models.CharField(max_length=40),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=["hash"], name="audit_event_hash_unique"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="group",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="proposals",
                to="procurement.workinggroup",
            ),
        ),
    ]
