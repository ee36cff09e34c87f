"""Working groups' proposals: drafted and submitted sealed, opened at the deadline."""

import hashlib
import logging
import os
import time
import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, Forbidden, NotFound, WrongState
from kernel.guards import field_error, require_before, require_status, validated_save
from kernel.language import eur
from procurement import calculations
from procurement.models import (
    DISABILITY_STATUSES,
    INSERTION_STATUSES,
    AuditChainHead,
    BudgetCategory,
    BudgetLine,
    BudgetScope,
    BudgetUnit,
    Challenge,
    ChallengeResource,
    ChallengeStatus,
    EssStatus,
    Framing,
    GroupementKind,
    Lot,
    MemberShare,
    Membership,
    Milestone,
    Proposal,
    ProposalAttachment,
    ProposalStatus,
    WorkingGroup,
    WorkingGroupMember,
)
from procurement.queries import is_member
from procurement.services.audit import (
    audit_record,
    proposal_chains_q,
    sealed_chain,
    sealed_digest,
)
from procurement.services.notifications import notify_proposals_opened
from procurement.services.stages import challenge_stage_move
from procurement.uploads import DOCUMENT_KINDS, check_upload

logger = logging.getLogger(__name__)


def _budget(lines: Iterable[Mapping]) -> list[BudgetLine]:
    built = []
    for index, line in enumerate(lines):
        try:
            quantity = Decimal(str(line.get("quantity")))
            rate = Decimal(str(line.get("rate")))
        except (InvalidOperation, ValueError, TypeError):
            raise field_error(
                "budget_lines",
                _("Ligne %(n)s : la quantité et le tarif sont des nombres.") % {"n": index + 1},
            ) from None
        label = (line.get("label") or "").strip()
        if line.get("category") not in BudgetCategory.values:
            raise field_error(
                "budget_lines",
                _("Ligne %(n)s : choisissez une catégorie de dépense.") % {"n": index + 1},
            )
        if line.get("unit") not in BudgetUnit.values:
            raise field_error(
                "budget_lines",
                _("Ligne %(n)s : l'unité est le jour ou l'heure.") % {"n": index + 1},
            )
        if not label:
            raise field_error(
                "budget_lines", _("Ligne %(n)s : donnez un libellé.") % {"n": index + 1}
            )
        scope = line.get("scope") or BudgetScope.CONTRACT
        if scope not in BudgetScope.values:
            raise field_error(
                "budget_lines",
                _("Ligne %(n)s : la ligne est dans le marché ou hors marché.") % {"n": index + 1},
            )
        if not quantity.is_finite() or not rate.is_finite() or quantity <= 0 or rate <= 0:
            raise field_error(
                "budget_lines",
                _("Ligne %(n)s : la quantité et le tarif doivent être positifs.")
                % {"n": index + 1},
            )
        lot = line.get("lot")
        if lot is not None and (isinstance(lot, bool) or not isinstance(lot, int)):
            raise field_error(
                "budget_lines",
                _("Ligne %(n)s : le lot est désigné par son numéro.") % {"n": index + 1},
            )
        built.append(
            BudgetLine(
                category=line["category"],
                label=label,
                quantity=quantity,
                unit=line["unit"],
                rate=rate,
                amount=calculations.line_amount(quantity, rate),
                scope=scope,
            )
        )
        built[-1].lot_number = lot
    if not built:
        raise field_error(
            "budget_lines", _("Le budget compte au moins une ligne."), code="budget_required"
        )
    return built


def coordination_share(lines: Iterable[BudgetLine]) -> tuple[Decimal, Decimal]:
    """The total of the lines and the amount of coordination and animation."""
    lines = list(lines)
    total = sum((line.amount for line in lines), Decimal(0))
    coordination = sum(
        (line.amount for line in lines if line.category == BudgetCategory.COORDINATION),
        Decimal(0),
    )
    return total, coordination


def _require_coordination_share(lines: list[BudgetLine], justification: str) -> None:
    total, coordination = coordination_share(lines)
    if calculations.coordination_within(total, coordination) or justification.strip():
        return
    share = calculations.percent(coordination, total)
    message = _(
        "La coordination et l'animation représentent %(share)s %% du budget : elles doivent "
        "en représenter entre 10 %% et 25 %%, ou bien justifiez cette part."
    ) % {"share": str(share).replace(".", ",")}
    raise field_error("coordination_justification", message, code="coordination_share")


def _timeline(milestones: Iterable[Mapping]) -> list[Milestone]:
    built = []
    for index, milestone in enumerate(milestones):
        title = (milestone.get("title") or "").strip()
        due_on = milestone.get("due_on")
        if not title or not isinstance(due_on, date):
            raise field_error(
                "milestones",
                _("Jalon %(n)s : donnez son intitulé et son échéance.") % {"n": index + 1},
            )
        built.append(
            Milestone(
                title=title,
                due_on=due_on,
                deliverable=(milestone.get("deliverable") or "").strip(),
            )
        )
    if not built:
        raise field_error(
            "milestones",
            _("Le calendrier compte au moins un jalon."),
            code="milestones_required",
        )
    return built


def _lots_answered(challenge: Challenge, numbers: Iterable[int] | None) -> list[Lot]:
    """The lots a proposal answers: its resource's lot, and the other lots of the call
    it names when the call lets a proposal answer several lots (``multi_lot_proposals``).
    A lot is named by its number; a lot the call does not have, or a second lot where
    the call allows one only, is refused on the ``lots`` field.

    A proposal answering its resource's lot alone takes that lot as ``_receipt_gate``
    read it (``own_lot``, no other query)."""
    own = challenge.own_lot
    wanted = {int(n) for n in numbers or ()}
    if own is not None:
        if wanted <= {own.number}:
            return [own]
        wanted.add(own.number)
    lots = {lot.number: lot for lot in Lot.objects.filter(challenge=challenge, number__in=wanted)}
    unknown = sorted(wanted - lots.keys())
    if unknown:
        raise field_error(
            "lots",
            _("L'appel n'a pas de lot n° %(numbers)s.")
            % {"numbers": ", ".join(str(n) for n in unknown)},
            code="unknown_lot",
        )
    if len(lots) > 1 and not challenge.multi_lot_proposals:
        raise field_error(
            "lots",
            _(
                "Cet appel n'accepte qu'un lot par proposition : elle répond au lot "
                "n° %(number)s de sa ressource."
            )
            % {"number": own.number if own else "?"},
            code="single_lot_only",
        )
    return [lots[n] for n in sorted(lots)]


def _price_lots(lines: list[BudgetLine], answered: list[Lot]) -> None:
    """Give each budget line the lot it prices. A proposal answering one lot prices that
    lot; one answering several gives each line the number of one of them, since each
    lot is awarded separately and its offers are compared on their price for that lot
    (articles L2113-10 and R2152-7)."""
    by_number = {lot.number: lot for lot in answered}
    numbers = ", ".join(str(n) for n in by_number)
    for index, line in enumerate(lines):
        number = getattr(line, "lot_number", None)
        if number is None and len(answered) == 1:
            line.lot = answered[0]
        elif number in by_number:
            line.lot = by_number[number]
        else:
            message = (
                _(
                    "Ligne %(n)s : indiquez le lot qu'elle chiffre ; la proposition répond "
                    "aux lots n° %(numbers)s."
                )
                if number is None
                else _(
                    "Ligne %(n)s : la proposition ne répond pas au lot n° %(lot)s ; elle "
                    "répond aux lots n° %(numbers)s."
                )
            )
            raise field_error(
                "budget_lines",
                message % {"n": index + 1, "lot": number, "numbers": numbers},
                code="line_lot",
            )


def _contract_price_of(lot: Lot, lines: list[BudgetLine]) -> Decimal:
    """The price HT a proposal's contract lines give ``lot``."""
    return sum(
        (line.amount for line in lines if line.lot == lot and line.scope == BudgetScope.CONTRACT),
        Decimal(0),
    )


def _require_lot_prices(challenge: Challenge, lines: list[BudgetLine], answered: list[Lot]) -> None:
    """Under a marché public, each lot the proposal answers has a price: each lot is a
    marché of its own (article L2113-10), and a marché is concluded for a price
    (article L1111-1); an offer that prices no part of a lot it answers is incomplete,
    hence irregular (article L2152-2). Lines outside the contract (cofunded) do not
    price it. Hors marché there is no price to give."""
    if challenge.framing != Framing.PUBLIC_CONTRACT:
        return
    for lot in answered:
        if _contract_price_of(lot, lines) <= 0:
            raise field_error(
                "budget_lines",
                _(
                    "Lot n° %(lot)s : aucune ligne ne le chiffre dans le prix du marché. Chaque "
                    "lot est un marché distinct, conclu pour un prix : donnez à chaque lot auquel "
                    "la proposition répond au moins une ligne « Dans le marché »."
                )
                % {"lot": lot.number},
                code="lot_unpriced",
            )


def _refuse_groupement_outside_contract(*, kind: bool, shares: bool) -> None:
    """400 on each groupement field declared hors marché, in French."""
    fields = {}
    if kind:
        fields["groupement_kind"] = [
            _("Hors marché, aucun groupement n'est déclaré : les conventions le remplacent.")
        ]
    if shares:
        fields["member_shares"] = [
            _(
                "Hors marché, le prix n'est pas réparti entre les membres d'un groupement : "
                "il n'y a pas d'acte d'engagement, les conventions le remplacent."
            )
        ]
    message = next(iter(fields.values()))[0]
    raise ApplicationError(message, code="outside_contract", extra={"fields": fields})


def _groupement(
    *,
    actor,
    challenge: Challenge,
    group: WorkingGroup,
    kind: str,
    shares: Iterable[Mapping],
    lines: list[BudgetLine],
    answered: list[Lot],
) -> list[MemberShare]:
    """The groupement a proposal declares (articles R2142-19 to R2142-27): conjoint or
    solidaire, and each member's share of each lot's price, the shares of a lot adding
    up to its contract price to the cent. Declared by the working group's coordinator
    (403 for another member); a proposal of a single organisation declares none.

    The groupement momentaire d'entreprises belongs to public-contract law: hors marché
    there is no acte d'engagement to write its form and shares in, the conventions take
    its place, so a form or shares declared there are refused (``outside_contract``, as
    the mise au point's, ``proposal_groupement_settle``)."""
    shares = list(shares)
    if challenge.framing != Framing.PUBLIC_CONTRACT and (kind or shares):
        _refuse_groupement_outside_contract(kind=bool(kind), shares=bool(shares))
    if not kind:
        if shares:
            raise field_error(
                "groupement_kind",
                _("Indiquez si le groupement est conjoint ou solidaire avant de répartir le prix."),
                code="groupement_kind_required",
            )
        return []
    members = {m.organisation_id for m in group.members.all()}
    if len(members) < 2:
        raise field_error(
            "groupement_kind",
            _("Un candidat seul ne forme pas de groupement."),
            code="not_a_groupement",
        )
    if group.coordinator_id is not None and not is_member(actor, group.coordinator):
        raise Forbidden(
            _("Seul le coordinateur du groupe de travail déclare le groupement et sa répartition."),
            code="not_coordinator",
        )
    by_number = {lot.number: lot for lot in answered}
    built = []
    for index, share in enumerate(shares, start=1):
        organisation = share["organisation"]
        number = share.get("lot") or (answered[0].number if len(answered) == 1 else None)
        if getattr(organisation, "pk", organisation) not in members:
            raise field_error(
                "member_shares",
                _("Part %(n)s : cette organisation n'est pas membre du groupe de travail.")
                % {"n": index},
                code="share_not_member",
            )
        if number not in by_number:
            raise field_error(
                "member_shares",
                _("Part %(n)s : indiquez un lot auquel la proposition répond.") % {"n": index},
                code="share_lot",
            )
        built.append(
            MemberShare(
                organisation_id=getattr(organisation, "pk", organisation),
                lot=by_number[number],
                amount=Decimal(share["amount"]),
            )
        )
    if challenge.framing == Framing.PUBLIC_CONTRACT:
        for lot in answered:
            price = _contract_price_of(lot, lines)
            shared = sum((s.amount for s in built if s.lot == lot), Decimal(0))
            if shared != price:
                raise field_error(
                    "member_shares",
                    _(
                        "Lot n° %(lot)s : les parts des membres font %(shared)s HT, le prix "
                        "du lot %(price)s HT ; elles doivent l'égaler."
                    )
                    % {"lot": lot.number, "shared": eur(shared), "price": eur(price)},
                    code="shares_sum",
                )
    return built


# Articles L2113-12 and L2113-13 with R2113-7: the structures of disabled or
# disadvantaged workers employ at least this share of them (percent, bound included).
INCLUSION_MIN_SHARE = Decimal(50)


def _inclusion_lacks(organisation, lot: Lot) -> str:
    """What ``organisation`` lacks for a lot reserved under article L2113-12 (EA, ESAT)
    and/or L2113-13 (SIAE): nothing (""), its status, or the 50 % share of article
    R2113-7. Reserved to both (article L2113-14), either status will do."""
    allowed = ()
    if lot.reserved_disability:
        allowed += DISABILITY_STATUSES
    if lot.reserved_insertion:
        allowed += INSERTION_STATUSES
    if organisation.inclusion_status not in allowed:
        return _("%(name)s n'en a pas déclaré le statut") % {"name": organisation.name}
    share = organisation.inclusion_share
    if share is None or share < INCLUSION_MIN_SHARE:
        return _(
            "%(name)s déclare %(share)s %% de travailleurs handicapés ou défavorisés, moins "
            "que les 50 %% de l'article R2113-7"
        ) % {"name": organisation.name, "share": share if share is not None else 0}
    return ""


def _inclusion_articles(lot: Lot) -> str:
    if lot.reserved_disability and lot.reserved_insertion:
        return _(
            "aux entreprises adaptées, aux ESAT et aux structures d'insertion par l'activité "
            "économique (articles L2113-12 à L2113-14 du code de la commande publique)"
        )
    if lot.reserved_disability:
        return _(
            "aux entreprises adaptées et aux ESAT (article L2113-12 du code de la commande "
            "publique)"
        )
    return _(
        "aux structures d'insertion par l'activité économique (article L2113-13 du code de "
        "la commande publique)"
    )


def _require_reserved_lots(group: WorkingGroup, answered: list[Lot]) -> None:
    """A reserved lot is answered only by the structures it is reserved to. The candidate
    of a working group is the groupement of its organisations, so its coordinator and
    every member must qualify; otherwise the proposal is refused, naming the lot, the
    article and the organisations lacking the status:

    * ``Lot.reserved_ess``, article L2113-15 du code de la commande publique: entreprises
      de l'ESS au sens de l'article 1er de la loi n° 2014-856 du 31 juillet 2014 (ESS or
      the agrément ESUS, ``Organisation.ess_status``), code ``lot_reserved_ess``;
    * ``Lot.reserved_disability``, article L2113-12: entreprises adaptées and ESAT, and
      ``Lot.reserved_insertion``, article L2113-13: structures d'insertion par l'activité
      économique — each employing at least 50 % of disabled or disadvantaged workers
      (article R2113-7; ``Organisation.inclusion_status`` and ``inclusion_share``, 50 %
      included); a lot reserved to both takes either (article L2113-14); code
      ``lot_reserved_inclusion``.
    """
    reserved = [
        lot
        for lot in answered
        if lot.reserved_ess or lot.reserved_disability or lot.reserved_insertion
    ]
    if not reserved:
        return
    organisations = {m.organisation for m in group.members.select_related("organisation")}
    if group.coordinator is not None:
        organisations.add(group.coordinator)
    ordered = sorted(organisations, key=lambda o: o.name)
    for lot in reserved:
        lacking = [o.name for o in ordered if o.ess_status == EssStatus.NONE]
        if lot.reserved_ess and lacking:
            raise field_error(
                "lots",
                _(
                    "Le lot n° %(lot)s « %(title)s » est réservé aux entreprises de l'économie "
                    "sociale et solidaire (article L2113-15 du code de la commande publique) : "
                    "%(names)s n'en a pas déclaré le statut."
                )
                % {"lot": lot.number, "title": lot.title, "names": ", ".join(lacking)},
                code="lot_reserved_ess",
            )
        if not (lot.reserved_disability or lot.reserved_insertion):
            continue
        lacks = [reason for o in ordered if (reason := _inclusion_lacks(o, lot))]
        if lacks:
            raise field_error(
                "lots",
                _("Le lot n° %(lot)s « %(title)s » est réservé %(articles)s : %(lacks)s.")
                % {
                    "lot": lot.number,
                    "title": lot.title,
                    "articles": _inclusion_articles(lot),
                    "lacks": " ; ".join(lacks),
                },
                code="lot_reserved_inclusion",
            )


# The call's fields a submission reads: its stage and deadline (the receipt), its lots
# rule, framing and fair-pay bounds (the proposal and its answer). No other is loaded.
_GATE_FIELDS = (
    "id",
    "status",
    "proposal_deadline",
    "proposals_opened_at",
    "multi_lot_proposals",
    "framing",
    "fair_rate_min",
    "fair_rate_max",
)


# The fields of the resource's lot a proposal reads: its number and reservations.
_OWN_LOT_FLAGS = ("reserved_ess", "reserved_disability", "reserved_insertion")
_OWN_LOT_FIELDS = ("id", "number", "title", *_OWN_LOT_FLAGS)


# The group's fields a submission reads: its resource (the answer) and coordinator.
_GROUP_FIELDS = ("id", "resource_id", "coordinator_id")


def _from_columns(model, row, prefix: str, names: Iterable[str], **values):
    """An instance of ``model`` from the columns ``<prefix><name>`` of a raw ``row`` (and
    ``values``), its other fields deferred (read on access)."""
    read = {name: getattr(row, f"{prefix}{name}") for name in names}
    read.update(values)
    # from_db takes the values in the model's field order
    fields = [f.attname for f in model._meta.concrete_fields if f.attname in read]
    return model.from_db(row._state.db, fields, [read[name] for name in fields])


def _receipt_gate(
    *, group: WorkingGroup | int, actor, challenge_id: int | None = None
) -> tuple[Challenge, WorkingGroup]:
    """The group's call, read under its row locked in shared mode (PostgreSQL's ``FOR KEY
    SHARE``): the submissions in flight hold it together, none waits for another, and
    the opening, which locks the row exclusively, waits for them all
    (``proposals_open``). SQLite's IMMEDIATE transactions serialise writers anyway.

    The same statement, one round trip instead of six on the deadline rush's path,
    reads the group itself (``group`` may be its id: the API's, unread so far), its
    resource's lot (``own_lot``: its number and reservations, or None), whether
    ``actor`` belongs to one of the group's organisations (``actor_is_member``, as
    ``org_ids``: any role) and which proposal the group has already
    (``group_proposal_id``, None for none). The call comes with ``_GATE_FIELDS`` only,
    the group with ``_GROUP_FIELDS`` (when read here), the others deferred (read on
    access, never stale). Returns the call and the group.

    ``challenge_id``: the call the caller named (the API's URL); a group of another
    call, or no group at all, is not found there (404)."""
    group_id = group if isinstance(group, int) else group.pk
    quote = connection.ops.quote_name
    lot_columns = ", ".join(f"l.{name} AS own_lot_{name}" for name in _OWN_LOT_FIELDS)
    group_columns = ", ".join(f"g.{name} AS group_{name}" for name in _GROUP_FIELDS)
    # Django's ORM has no FOR KEY SHARE; it locks the call's row only (OF c)
    lock = " FOR KEY SHARE OF c" if connection.vendor == "postgresql" else ""
    sql = (
        f"SELECT {', '.join(f'c.{name}' for name in _GATE_FIELDS)}, {lot_columns}, "  # noqa: S608 — names
        f"{group_columns}, "
        f"EXISTS (SELECT 1 FROM {quote(WorkingGroupMember._meta.db_table)} m "
        "WHERE m.group_id = g.id AND m.organisation_id IN (SELECT s.organisation_id FROM "
        f"{quote(Membership._meta.db_table)} s WHERE s.user_id = %s)) AS actor_is_member, "
        f"(SELECT p.id FROM {quote(Proposal._meta.db_table)} p WHERE p.group_id = g.id) "
        "AS group_proposal_id "
        f"FROM {quote(WorkingGroup._meta.db_table)} g "
        f"INNER JOIN {quote(ChallengeResource._meta.db_table)} r ON r.id = g.resource_id "
        f"INNER JOIN {quote(Challenge._meta.db_table)} c ON c.id = r.challenge_id "
        f"LEFT OUTER JOIN {quote(Lot._meta.db_table)} l ON l.id = r.lot_id "
        f"WHERE g.id = %s{' AND c.id = %s' if challenge_id is not None else ''}{lock}"
    )
    params = [actor.pk, group_id]
    if challenge_id is not None:
        params.append(challenge_id)
    challenge = next(iter(Challenge.objects.raw(sql, params)), None)
    if challenge is None:
        raise NotFound(_("Groupe de travail introuvable dans cet appel."), code="group_not_found")
    if isinstance(group, int):
        group = _from_columns(WorkingGroup, challenge, "group_", _GROUP_FIELDS)
    challenge.own_lot = None
    if challenge.own_lot_id is not None:
        # ints, a string and booleans (SQLite gives 0 or 1): no converter needed
        challenge.own_lot = _from_columns(
            Lot,
            challenge,
            "own_lot_",
            _OWN_LOT_FIELDS,
            challenge_id=challenge.pk,
            **{n: bool(getattr(challenge, f"own_lot_{n}")) for n in _OWN_LOT_FLAGS},
        )
    return challenge, group


def _require_group_member(challenge) -> None:
    """The actor belongs to the group (``actor_is_member`` of ``_receipt_gate``), else 403."""
    if not challenge.actor_is_member:
        raise Forbidden(
            _("Seuls les membres du groupe de travail déposent sa proposition."), code="not_allowed"
        )


def _require_received_in_time(challenge, received_at: datetime, *, message: str) -> None:
    """An offer received at or after the proposal deadline is refused (article R2151-5
    du code de la commande publique : « les offres reçues hors délai sont éliminées »);
    one received before it is accepted, even when processed after it. Received means
    the request's arrival (``kernel.receipt``), judged to the second: at the deadline
    itself it is too late.

    ``challenge`` is read under its row in shared mode (``_receipt_gate``). Should the
    opening have run between the arrival and this read (beyond its grace window:
    ``proposals_open``), the offer is refused with its own code and the error logged:
    the opened proposals are never opened again."""
    deadline = challenge.proposal_deadline
    if (
        challenge.status != ChallengeStatus.PROPOSALS
        and challenge.proposals_opened_at is not None
        and deadline is not None
        and received_at < deadline
    ):
        logger.error(
            "Offer for call %s received at %s, before the deadline %s, found the "
            "proposals opened at %s",
            challenge.pk,
            received_at.isoformat(),
            deadline.isoformat(),
            challenge.proposals_opened_at.isoformat(),
        )
        raise WrongState(
            _(
                "Votre envoi est arrivé avant la date limite, mais les plis étaient déjà "
                "ouverts quand il a été traité : il n'a pas été enregistré. Signalez-le à "
                "l'acheteur."
            ),
            code="opened_before_receipt",
            extra={"received_at": received_at, "deadline": deadline},
        )
    require_status(
        challenge, ChallengeStatus.PROPOSALS, message=_("Le dépôt des propositions est fermé.")
    )
    require_before(deadline, at=received_at, message=message)


def _attach(instance, name: str, objects: Iterable) -> None:
    """Give ``instance`` its related ``name`` rows as if prefetched: the proposal just
    written is read back (its API answer) without a query per part."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset


# Each part's columns, as written by _insert_parts: (column, PostgreSQL type, value).
_LINE_COLUMNS = (
    ("category", "varchar", lambda line: line.category),
    ("label", "varchar", lambda line: line.label),
    ("quantity", "numeric", lambda line: line.quantity),
    ("unit", "varchar", lambda line: line.unit),
    ("rate", "numeric", lambda line: line.rate),
    ("amount", "numeric", lambda line: line.amount),
    ("scope", "varchar", lambda line: line.scope),
    ("lot_id", "bigint", lambda line: line.lot_id),
)
_STEP_COLUMNS = (
    ("title", "varchar", lambda step: step.title),
    ("due_on", "date", lambda step: step.due_on),
    ("deliverable", "text", lambda step: step.deliverable),
)


def _insert_parts(
    proposal: Proposal, lines: list[BudgetLine], steps: list[Milestone], lots: list[Lot]
) -> None:
    """A new proposal's budget lines, milestones and lots written by one statement on
    PostgreSQL (three data-modifying ``WITH`` parts), where the ORM's ``bulk_create``
    sends one per table: on the deadline rush's path, two round trips and two
    statements fewer, and the ORM's work of building three inserts. The rows are those
    ``bulk_create`` would write (the same columns and values, the database's checks
    and keys alike); the lines and milestones get their ids back in their order, as
    with ``bulk_create``."""
    quote = connection.ops.quote_name

    def unnest(columns, rows) -> tuple[str, list]:
        arrays = ", ".join(f"%s::{kind}[]" for _name, kind, _value in columns)
        return f"SELECT %s, * FROM unnest({arrays})", [  # noqa: S608 — types
            proposal.pk,
            *([value(row) for row in rows] for _name, _kind, value in columns),
        ]

    line_select, line_params = unnest(_LINE_COLUMNS, lines)
    step_select, step_params = unnest(_STEP_COLUMNS, steps)
    through = Proposal.lots.through._meta.db_table
    line_names = ", ".join(quote(name) for name, _kind, _value in _LINE_COLUMNS)
    step_names = ", ".join(quote(name) for name, _kind, _value in _STEP_COLUMNS)
    sql = (
        f"WITH l AS (INSERT INTO {quote(BudgetLine._meta.db_table)} (proposal_id, {line_names}) "  # noqa: S608 — names
        f"{line_select} RETURNING id), "
        f"m AS (INSERT INTO {quote(Milestone._meta.db_table)} (proposal_id, {step_names}) "
        f"{step_select} RETURNING id), "
        f"k AS (INSERT INTO {quote(through)} (proposal_id, lot_id) "
        "SELECT %s, unnest(%s::bigint[])) "
        # a sequence's values come in the rows' order: the ids sorted are the rows'
        "SELECT ARRAY(SELECT id FROM l ORDER BY id), ARRAY(SELECT id FROM m ORDER BY id)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*line_params, *step_params, proposal.pk, [lot.pk for lot in lots]])
        line_ids, step_ids = cursor.fetchone()
    for objects, ids in ((lines, line_ids), (steps, step_ids)):
        for obj, pk in zip(objects, ids, strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = connection.alias


@transaction.atomic
def proposal_submit(
    *,
    actor,
    group: WorkingGroup | int,
    title: str,
    summary: str,
    deliverables: str,
    licence: str,
    budget_lines: Iterable[Mapping],
    milestones: Iterable[Mapping],
    community: str = "",
    governance: str = "",
    coordination_justification: str = "",
    lots: Iterable[int] | None = None,
    groupement_kind: str = GroupementKind.NONE,
    member_shares: Iterable[Mapping] = (),
    received_at: datetime | None = None,
    challenge_id: int | None = None,
) -> Proposal:
    """Submit (or replace) the group's sealed proposal before the proposal deadline.

    The deadline is judged on the offer's receipt, ``received_at`` (when its request
    arrived, ``kernel.receipt``; now by default): received before the deadline, it is
    accepted even when processed after it; received at or after it, refused (article
    R2151-5, ``_require_received_in_time``). Until its transaction ends it holds the
    call's row in shared mode, so that the opening waits for it. A replacement takes
    the place of the previous offer (article R2151-6: only the last offer received in
    time is opened). ``group``: the working group, or its id (the API's), read with the
    call. ``challenge_id``: the call the caller named; a group of another call, or none
    of that id, is not found there (404).

    It answers its resource's lot and, if the call allows it (``multi_lot_proposals``),
    the other lots of the call named by their number in ``lots`` (article L2113-10:
    each lot is awarded separately, so a proposal says which lots it answers); then
    each budget line names the lot it prices (``lot``). Under a marché public each lot
    answered has a contract price (``_require_lot_prices``: a lot priced only by
    cofunded lines is refused, 400 ``lot_unpriced``).

    Under a marché public, a groupement of several members declares its kind
    (``groupement_kind``: conjoint or solidaire) and each member's share of each lot's
    price (``member_shares``: organisation, lot number, amount HT), printed in the lot's
    acte d'engagement; only the coordinator declares it (``_groupement``). Hors marché
    neither is declared (400, ``outside_contract``): no acte d'engagement, conventions.
    A reserved lot — to the social and solidarity economy (article L2113-15), to
    entreprises adaptées and ESAT (L2113-12), to structures d'insertion (L2113-13) —
    refuses a group one of whose organisations lacks that status or the 50 % share of
    article R2113-7 (``_require_reserved_lots``).

    Its amount is the sum of its budget lines (days or hours at a rate); coordination
    and animation make 10 % to 25 % of it unless justified. Each line is inside the
    contract (its price, paid by the buyer) or outside it (cofundable), never both.
    The content stays readable by the group's members only until the deadline; the
    audit trail records that a proposal was submitted, never what it says, in the
    proposal's own sealed chain (no row shared with the other groups' submissions).

    Queries: a new proposal answering its resource's lot costs four besides the
    transaction on PostgreSQL (the group, its call's row with its lot, the membership
    and the group's proposal, ``_receipt_gate``; the proposal; its lines, milestones and
    lots, ``_insert_parts``; its sealed event with its chain head,
    ``audit._insert_first``), seven on SQLite (one insert per table);
    ``tests/api/test_query_counts.py`` holds the counts.
    """
    received_at = received_at or timezone.now()
    challenge, group = _receipt_gate(group=group, actor=actor, challenge_id=challenge_id)
    _require_group_member(challenge)
    _require_received_in_time(
        challenge,
        received_at,
        message=_(
            "La date limite de dépôt des propositions est passée : la proposition est refusée."
        ),
    )
    lines = _budget(budget_lines)
    _require_coordination_share(lines, coordination_justification)
    steps = _timeline(milestones)
    answered = _lots_answered(challenge, lots)
    _require_reserved_lots(group, answered)
    _price_lots(lines, answered)
    _require_lot_prices(challenge, lines, answered)
    shares = _groupement(
        actor=actor,
        challenge=challenge,
        group=group,
        kind=groupement_kind,
        shares=member_shares,
        lines=lines,
        answered=answered,
    )
    # A replacement locks the group's proposal (two replacements never interleave their
    # parts); a new one needs no lock: a second insert for the group is refused by the
    # database (a lost race is a 409: kernel.conflicts).
    proposal = None
    if challenge.group_proposal_id is not None:
        proposal = Proposal.objects.select_for_update().filter(group=group).first()
    new = proposal is None
    if new:
        proposal = Proposal(group=group, challenge=challenge)
    proposal.group, proposal.challenge = group, challenge
    proposal.title = title
    proposal.summary = summary
    proposal.deliverables = deliverables
    proposal.licence = licence
    proposal.amount = coordination_share(lines)[0]
    proposal.community = community
    proposal.governance = governance
    proposal.coordination_justification = coordination_justification.strip()
    proposal.groupement_kind = groupement_kind
    proposal.status = ProposalStatus.SUBMITTED
    proposal.submitted_at = received_at
    # The fields checked; the group and the call are the rows read above, and the
    # database refuses a second proposal of a group (a lost race is a 409:
    # kernel.conflicts), so no query re-checks them.
    validated_save(
        proposal, exclude=["group", "challenge"], validate_unique=False, validate_constraints=False
    )
    if not new:
        proposal.budget_lines.all().delete()
        proposal.milestones.all().delete()
        proposal.member_shares.all().delete()
    for part in (*lines, *steps, *shares):
        part.proposal = proposal
    if shares:
        MemberShare.objects.bulk_create(shares)
    if new and connection.vendor == "postgresql":
        _insert_parts(proposal, lines, steps, answered)
    else:
        BudgetLine.objects.bulk_create(lines)
        Milestone.objects.bulk_create(steps)
        if new:
            Proposal.lots.through.objects.bulk_create(
                [Proposal.lots.through(proposal=proposal, lot=lot) for lot in answered]
            )
        else:
            proposal.lots.set(answered)
    # Only who submitted for which group, and when it was received: never the title, the
    # amount or any content.
    audit_record(
        verb="proposal.submitted",
        actor=actor,
        challenge=challenge,
        obj=proposal,
        data={"group": group.pk, "received_at": received_at},
        sealed=True,
        new_chain=new,
    )
    # In the order their models read them back (``Meta.ordering``): the ids follow the
    # input, so a stable sort on the rest gives the same order as the detail's.
    _attach(proposal, "budget_lines", lines)
    _attach(proposal, "milestones", sorted(steps, key=lambda step: step.due_on))
    _attach(proposal, "member_shares", sorted(shares, key=lambda share: share.lot_id))
    _attach(proposal, "lots", answered)
    if new:
        _attach(proposal, "attachments", [])
    return proposal


@transaction.atomic
def proposal_groupement_settle(
    *,
    actor,
    proposal: Proposal,
    groupement_kind: str,
    member_shares: Iterable[Mapping],
) -> Proposal:
    """The mise au point of a retained groupement's form and split (article R2152-13 of
    the code de la commande publique): after the selection and before the signature, the
    buyer and the retained candidate may settle the components of the contract without
    changing what is substantial in the offer. The price does not move — the shares of
    each lot still make its contract price, to the cent — and the coordinator declares
    them, as with the proposal (``_groupement``); the acte d'engagement can then be drawn
    up.

    Preconditions: a marché public, the proposal selected or awarded, the contract not
    yet signed (409 otherwise). Audited as ``proposal.groupement_settled``."""
    challenge = proposal.group.resource.challenge
    if challenge.framing != Framing.PUBLIC_CONTRACT:
        raise WrongState(
            _("Hors marché, aucun groupement n'est déclaré : les conventions le remplacent."),
            code="outside_contract",
        )
    if proposal.status not in (ProposalStatus.SELECTED, ProposalStatus.AWARDED):
        raise WrongState(
            _("Seule une proposition retenue fait l'objet d'une mise au point avant la signature."),
            code="not_retained",
        )
    if challenge.awarded_at is not None:
        raise WrongState(
            _("Le marché est signé : sa mise au point n'est plus possible."), code="signed"
        )
    if not groupement_kind:
        raise field_error(
            "groupement_kind",
            _("Indiquez si le groupement est conjoint ou solidaire."),
            code="groupement_kind_required",
        )
    shares = _groupement(
        actor=actor,
        challenge=challenge,
        group=proposal.group,
        kind=groupement_kind,
        shares=member_shares,
        lines=list(proposal.budget_lines.select_related("lot")),
        answered=list(proposal.lots.all()),
    )
    proposal.groupement_kind = groupement_kind
    validated_save(proposal)
    proposal.member_shares.all().delete()
    for share in shares:
        share.proposal = proposal
    MemberShare.objects.bulk_create(shares)
    audit_record(
        verb="proposal.groupement_settled",
        actor=actor,
        challenge=challenge,
        obj=proposal,
        data={
            "groupement_kind": groupement_kind,
            "shares": [
                {"organisation": s.organisation_id, "lot": s.lot.number, "amount": str(s.amount)}
                for s in shares
            ],
        },
    )
    return proposal


def _wait_for_receipts_in_flight(challenge) -> str:
    """The opening waits for the offers received before the deadline and still being
    processed: first ``PROPOSALS_OPENING_GRACE_SECONDS`` after the deadline (a request
    stamped before it may not have reached the call's row yet), then for the call's row
    locked exclusively, which each submission holds in shared mode until it commits
    (``_receipt_gate``). Returns the stage read under that lock."""
    deadline = challenge.proposal_deadline
    if deadline is not None:
        grace = timedelta(seconds=settings.PROPOSALS_OPENING_GRACE_SECONDS)
        wait = (deadline + grace - timezone.now()).total_seconds()
        if wait > 0:
            time.sleep(wait)
    return (
        Challenge.objects.select_for_update().values_list("status", flat=True).get(pk=challenge.pk)
    )


@transaction.atomic
def proposals_open(*, challenge) -> int:
    """At the proposal deadline the sealed proposals are opened (audited), once.

    The opening waits for the submissions in flight (``_wait_for_receipts_in_flight``),
    so that an offer received in time is among those opened; a submission that reaches
    the call's row after it finds the proposals opened and is refused. The opening
    event records, in the call's chain, the digest of the proposals' sealed chains
    (``sealed_chains``, ``sealed_digest``) and the length and head of the older,
    call-wide sealed chain: ``procurement.services.chains`` checks them.

    Returns the number of submitted proposals."""
    challenge.status = _wait_for_receipts_in_flight(challenge)
    require_status(
        challenge, ChallengeStatus.PROPOSALS, message=_("Les propositions sont déjà ouvertes.")
    )
    if challenge.proposal_deadline and timezone.now() < challenge.proposal_deadline:
        raise WrongState(
            _("Les propositions restent scellées jusqu'à la date limite."), code="sealed"
        )
    count = challenge.proposals.filter(status=ProposalStatus.SUBMITTED).count()
    challenge.proposals.filter(status=ProposalStatus.DRAFT).delete()
    challenge.proposals_opened_at = timezone.now()
    challenge_stage_move(
        challenge=challenge, to=ChallengeStatus.ASSIGNMENT, also=("proposals_opened_at",)
    )
    head = AuditChainHead.objects.filter(chain=sealed_chain(challenge)).first()
    heads = list(
        AuditChainHead.objects.filter(
            proposal_chains_q(sealed_chain(challenge)), seq__gt=0
        ).values_list("chain", "seq", "hash")
    )
    audit_record(
        verb="proposals.opened",
        challenge=challenge,
        data={
            "count": count,
            # the sealed chains, now open to the buyer: the proposals' chains by the
            # digest of their heads, the call-wide one by its length and head hash
            "sealed_chains": len(heads),
            "sealed_digest": sealed_digest(heads),
            "sealed_events": head.seq if head else 0,
            "sealed_head": head.hash if head else "",
        },
    )
    notify_proposals_opened(challenge)
    return count


def _original_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    return base[-255:] or _("pièce jointe")


@transaction.atomic
def proposal_attachment_add(
    *, actor, proposal: Proposal, content: bytes, name: str, received_at: datetime | None = None
) -> ProposalAttachment:
    """A member of the working group attaches a document to its sealed proposal,
    received before the proposal deadline (as the proposal: ``received_at``, article
    R2151-5): PDF, ODT or DOCX judged by its content, size-limited."""
    received_at = received_at or timezone.now()
    group = proposal.group
    challenge, group = _receipt_gate(group=group, actor=actor, challenge_id=proposal.challenge_id)
    _require_group_member(challenge)
    _require_received_in_time(
        challenge,
        received_at,
        message=_("La date limite de dépôt des propositions est passée : la pièce est refusée."),
    )
    kind = check_upload(content, allowed=DOCUMENT_KINDS, field="file")
    attachment = ProposalAttachment(
        proposal=proposal,
        original_name=_original_name(name),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        kind=kind,
        uploaded_by=actor,
        uploaded_at=received_at,
    )
    attachment.file.save(f"proposition-{uuid.uuid4().hex}.{kind}", ContentFile(content), save=False)
    attachment.save()
    # Sealed: neither the file's name nor its digest, which would tell what it is.
    audit_record(
        verb="proposal.attachment_added",
        actor=actor,
        challenge=challenge,
        obj=proposal,
        data={"group": group.pk},
        sealed=True,
    )
    return attachment
