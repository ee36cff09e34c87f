"""The indexes the submission path, the sealed chains and the lists rely on (issue 20,
migration 0034): a call's proposals' chains are read through an index on both
databases, a page of calls walks the newest calls' index, and no index duplicates a
unique one on the rows every submission writes. Plans are read from EXPLAIN, never timed."""

import pytest
from django.db import connection, transaction

from procurement.models import AuditChainHead, AuditEvent, Challenge, Proposal
from procurement.queries.challenges import visible_q
from procurement.services.audit import proposal_chains_q
from procurement.services.chains.incremental import _family, chain_verify_incremental
from procurement.services.chains.verify import chains_verify
from tests.api import scenarios
from tests.plans import indexes, plan

pytestmark = pytest.mark.django_db


def test_proposal_chains_are_the_names_under_the_calls_sealed_chain():
    # given the chain heads of two calls, whose names share a prefix (7 and 70)
    for name in ("sealed:7", "sealed:7:12", "sealed:7:130", "sealed:70", "sealed:70:9"):
        AuditChainHead.objects.create(chain=name, seq=1, hash=name.ljust(64, "0"))

    # when the proposals' chains of call 7 are read, and its whole sealed family
    proposals = AuditChainHead.objects.filter(proposal_chains_q("sealed:7"))
    family = AuditChainHead.objects.filter(_family("sealed:7"))

    # then only call 7's proposals' chains come, with its own chain in the family
    assert sorted(proposals.values_list("chain", flat=True)) == ["sealed:7:12", "sealed:7:130"]
    assert sorted(family.values_list("chain", flat=True)) == [
        "sealed:7",
        "sealed:7:12",
        "sealed:7:130",
    ]


def test_sealed_reads_use_an_index_on_chain_never_a_scan():
    # given the reads of a call's sealed chains: the audit endpoint's, the full
    # verification's and the opening's
    reads = {
        "audit endpoint": AuditEvent.objects.filter(_family("sealed:7")),
        "verification": AuditEvent.objects.filter(proposal_chains_q("sealed:7")).order_by(
            "chain", "seq"
        ),
        "opening": AuditChainHead.objects.filter(proposal_chains_q("sealed:7"), seq__gt=0),
    }

    # when the database plans them
    plans = {name: plan(queryset, seqscan=False) for name, queryset in reads.items()}

    # then each reads its table through an index on chain
    for name, steps in plans.items():
        if connection.vendor == "postgresql":
            assert "Seq Scan" not in steps, (name, steps)
            assert "~>=~" in steps, (name, steps)  # the prefix as a range of the index
        else:
            assert "SCAN procurement_" not in steps, (name, steps)
            assert "(chain>? AND chain<?)" in steps, (name, steps)
    if connection.vendor == "postgresql":
        assert "audit_event_chain_prefix" in plans["audit endpoint"]
        assert "audit_event_chain_prefix" in plans["verification"]


@pytest.mark.postgres
def test_postgres_serves_the_prefix_from_the_pattern_index_only():
    if connection.vendor != "postgresql":
        pytest.skip("L'index des préfixes se vérifie sur PostgreSQL (DATABASE_URL=postgres://…)")
    # given the audit events' read of a call's proposals' chains
    read = AuditEvent.objects.filter(proposal_chains_q("sealed:7"))

    # when the pattern index is gone (rolled back)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX audit_event_chain_prefix")
        without = plan(read, seqscan=False)
        transaction.set_rollback(True)

    # then the unique (chain, seq), in the database's collation, cannot bound it: the
    # prefix is only a filter over every row; the pattern index reads it as a range
    assert "~>=~" not in without
    assert "~~ 'sealed:7:%'" in without
    with_index = plan(read, seqscan=False)
    assert "audit_event_chain_prefix" in with_index
    assert "~>=~ 'sealed:7:'" in with_index


def test_no_index_duplicates_a_unique_one_on_the_submission_path():
    # given the tables every submission writes
    events, proposals = indexes(AuditEvent), indexes(Proposal)

    # when their indexes on chain, on the hash and on the working group are listed
    on_chain = sorted(name for name, columns in events.items() if columns[:1] == ["chain"])
    on_group = [name for name, columns in proposals.items() if columns == ["group_id"]]

    # then the chain has its unique (chain, seq) and the prefix index only, the hash
    # its unique index only, the proposal's working group the unique
    # proposal_one_per_group only
    assert len(on_chain) == 2, on_chain
    assert "audit_event_chain_prefix" in on_chain
    assert [events[name] for name in on_chain if name != "audit_event_chain_prefix"] == [
        ["chain", "seq"]
    ]
    assert on_group == ["proposal_one_per_group"]
    assert [name for name, columns in events.items() if columns == ["hash"]] == [
        "audit_event_hash_unique"
    ]


def test_a_page_of_visible_calls_walks_the_newest_index_and_sorts_nothing():
    # given a page of the calls a visitor and a buyer's staff may see, as the list reads it
    pages = {
        "visitor": Challenge.objects.filter(visible_q()).order_by("-created_at", "-id"),
        "staff": Challenge.objects.filter(visible_q(staff=[1])).order_by("-created_at", "-id"),
    }

    # when the database plans them
    plans = {
        who: plan(queryset.values("pk")[:20], seqscan=False) for who, queryset in pages.items()
    }

    # then it walks the calls newest first and stops at the page's end: no sort of every
    # visible call (an index on the visibility's columns made SQLite read and sort them)
    for who, steps in plans.items():
        assert "challenge_newest" in steps, (who, steps)
        assert "TEMP B-TREE" not in steps, (who, steps)
        assert "Sort" not in steps, (who, steps)


def test_the_opening_records_every_proposal_chain_and_they_verify(world, clock):
    # given a call whose groups submitted under seal, with a call of its own beside it
    # whose proposals' chains must not be counted with them
    challenge = scenarios.opened(world, clock)
    family = f"sealed:{challenge.pk}"
    members = set(
        AuditChainHead.objects.filter(chain__startswith=f"{family}:").values_list(
            "chain", flat=True
        )
    )
    AuditChainHead.objects.create(chain=f"{family}0:1", seq=0)

    # when the opening's record and the verifications are read
    opened = AuditEvent.objects.get(chain=f"challenge:{challenge.pk}", verb="proposals.opened")
    full = chains_verify(chains=[family]).reports[0]
    incremental = chain_verify_incremental(family)

    # then the opening counted each proposal's chain, and both verifications find the
    # family whole, over the same rows
    assert members
    assert opened.data["sealed_chains"] == len(members)
    assert full.problems == ()
    assert incremental.problems == ()
    assert full.count == incremental.count == AuditEvent.objects.filter(_family(family)).count()
