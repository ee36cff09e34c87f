"""The public ledger of a commons: anyone reads it, its host records the money received
and pays, the working group submits and approves the expenses."""

from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel import exports
from kernel.errors import Forbidden, NotFound
from kernel.serializers import ModelSerializer, Serializer
from procurement import queries
from procurement.models import (
    ApprovalRule,
    Bucket,
    Commons,
    Expense,
    Income,
    IncomeKind,
    Ledger,
    Organisation,
    Pledge,
    WorkingGroup,
)
from procurement.services import ledger as ledger_services
from procurement.uploads import MAX_UPLOAD_BYTES, open_stored

from .serializers import OrganisationRefSerializer
from .views import validated

# --- serializers ------------------------------------------------------------------------


class LedgerSerializer(ModelSerializer):
    commons = serializers.IntegerField(source="commons_id", read_only=True)
    host = OrganisationRefSerializer(source="commons.host", read_only=True, allow_null=True)
    group = serializers.IntegerField(source="group_id", read_only=True, allow_null=True)

    class Meta:
        model = Ledger
        fields = [
            "commons",
            "host",
            "group",
            "balance",
            "income_total",
            "paid_total",
            "approval_rule",
            "approvals_required",
        ]


class IncomeSerializer(ModelSerializer):
    source = OrganisationRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Income
        fields = [
            "id",
            "kind",
            "source",
            "source_name",
            "amount",
            "received_on",
            "reference",
            "bucket",
            "pledge",
            "subsidy_label",
        ]


class ExpenseSerializer(ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    approvals = serializers.IntegerField(read_only=True)
    refusals = serializers.IntegerField(read_only=True)

    class Meta:
        model = Expense
        fields = [
            "id",
            "kind",
            "organisation",
            "label",
            "amount",
            "status",
            "submitted_at",
            "decided_at",
            "paid_at",
            "payment_reference",
            "approvals",
            "refusals",
        ]


class IncomeInput(Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    received_on = serializers.DateField()
    kind = serializers.ChoiceField(
        choices=IncomeKind.choices,
        default=IncomeKind.CONTRIBUTION,
        help_text="Une recette d'exploration s'enregistre par /exploration/.",
    )
    source = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    source_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    bucket = serializers.PrimaryKeyRelatedField(
        queryset=Bucket.objects.all(), required=False, allow_null=True
    )
    pledge = serializers.PrimaryKeyRelatedField(
        queryset=Pledge.objects.all(), required=False, allow_null=True
    )
    subsidy_label = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ExpenseInput(Serializer):
    label = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    invoice = serializers.FileField(help_text="Facture : PDF, PNG ou JPEG, 20 Mo au plus.")
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )


class DecisionInput(Serializer):
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text="L'organisation membre au nom de laquelle vous décidez (si plusieurs).",
    )


class PaymentInput(Serializer):
    payment_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)


class RuleInput(Serializer):
    rule = serializers.ChoiceField(choices=ApprovalRule.choices)
    approvals_required = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class GroupInput(Serializer):
    group = serializers.PrimaryKeyRelatedField(queryset=WorkingGroup.objects.all())


class ExplorationInput(Serializer):
    grantor = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    recipient = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    received_on = serializers.DateField(required=False)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)


# --- views ------------------------------------------------------------------------------


class CommonsScoped:
    """Resolves the commons of the URL (the catalogue is public)."""

    def commons(self) -> Commons:
        if not hasattr(self, "_commons"):
            commons = (
                Commons.objects.select_related("host").filter(pk=self.kwargs["commons_pk"]).first()
            )
            if commons is None:
                raise NotFound(_("Commun introuvable."), code="commons_not_found")
            self._commons = commons
        return self._commons

    def expense(self) -> Expense:
        expense = (
            Expense.objects.select_related("ledger__commons__host", "ledger__group", "organisation")
            .filter(pk=self.kwargs["pk"], ledger__commons=self.commons())
            .first()
        )
        if expense is None:
            raise NotFound(_("Dépense introuvable."), code="expense_not_found")
        return expense

    def expense_response(self, expense, code=status.HTTP_200_OK) -> Response:
        expense = queries.expenses_of(self.commons()).get(pk=expense.pk)
        return Response(ExpenseSerializer(expense).data, status=code)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.serializer_class.Meta.model.objects.none()
        return self.scoped_queryset()


class LedgerView(CommonsScoped, APIView):
    """The commons' account: balance, totals and approval rule (public)."""

    @extend_schema(responses=LedgerSerializer)
    def get(self, request, commons_pk):
        return Response(LedgerSerializer(queries.ledger_public(self.commons())).data)


class LedgerRule(CommonsScoped, APIView):
    """The working group sets its approval rule (majority by default, or a number)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=RuleInput, responses=LedgerSerializer)
    def post(self, request, commons_pk):
        data = validated(RuleInput, request)
        ledger = ledger_services.ledger_rule_set(
            actor=request.user,
            commons=self.commons(),
            rule=data["rule"],
            approvals_required=data.get("approvals_required"),
        )
        return Response(LedgerSerializer(ledger).data)


class LedgerGroup(CommonsScoped, APIView):
    """The host names the working group that runs the commons' expenses."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=GroupInput, responses=LedgerSerializer)
    def post(self, request, commons_pk):
        data = validated(GroupInput, request)
        ledger = ledger_services.ledger_group_set(
            actor=request.user, commons=self.commons(), group=data["group"]
        )
        return Response(LedgerSerializer(ledger).data)


class IncomeList(CommonsScoped, generics.ListAPIView):
    """Money the host received for the commons (public); the host records it."""

    serializer_class = IncomeSerializer

    def scoped_queryset(self):
        return queries.incomes_of(self.commons())

    @extend_schema(request=IncomeInput, responses={201: IncomeSerializer})
    def post(self, request, commons_pk):
        data = validated(IncomeInput, request)
        income = ledger_services.income_record(actor=request.user, commons=self.commons(), **data)
        return Response(IncomeSerializer(income).data, status=status.HTTP_201_CREATED)


class ExpenseList(CommonsScoped, generics.ListAPIView):
    """The commons' expenses with their decisions' counts (public); a member organisation
    of the working group submits one with its invoice."""

    serializer_class = ExpenseSerializer
    parser_classes = [MultiPartParser]

    def scoped_queryset(self):
        return queries.expenses_of(self.commons())

    @extend_schema(
        request={"multipart/form-data": ExpenseInput}, responses={201: ExpenseSerializer}
    )
    def post(self, request, commons_pk):
        data = validated(ExpenseInput, request)
        # Read one byte more than allowed: the checker then refuses it as too large.
        content = data["invoice"].read(MAX_UPLOAD_BYTES + 1)
        expense = ledger_services.expense_submit(
            actor=request.user,
            commons=self.commons(),
            label=data["label"],
            amount=data["amount"],
            invoice=content,
            organisation=data.get("organisation"),
        )
        return self.expense_response(expense, status.HTTP_201_CREATED)


class ExpenseApprove(CommonsScoped, APIView):
    permission_classes = [IsAuthenticated]
    service = staticmethod(ledger_services.expense_approve)

    @extend_schema(request=DecisionInput, responses=ExpenseSerializer)
    def post(self, request, commons_pk, pk):
        data = validated(DecisionInput, request)
        expense = self.service(
            actor=request.user, expense=self.expense(), organisation=data.get("organisation")
        )
        return self.expense_response(expense)


class ExpenseRefuse(ExpenseApprove):
    service = staticmethod(ledger_services.expense_refuse)

    @extend_schema(request=DecisionInput, responses=ExpenseSerializer)
    def post(self, request, commons_pk, pk):
        return super().post(request, commons_pk, pk)


class ExpensePay(CommonsScoped, APIView):
    """The host pays an approved expense (409 when the balance does not cover it)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=PaymentInput, responses=ExpenseSerializer)
    def post(self, request, commons_pk, pk):
        data = validated(PaymentInput, request)
        expense = ledger_services.expense_pay(
            actor=request.user,
            expense=self.expense(),
            payment_reference=data.get("payment_reference", ""),
        )
        return self.expense_response(expense)


class ExpenseInvoice(CommonsScoped, APIView):
    """The invoice of an expense: for the working group and the host only."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, commons_pk, pk):
        expense = self.expense()
        if not queries.may_read_invoice(request.user, expense):
            raise Forbidden(
                _("Les factures sont réservées au groupe de travail et à l'hébergeur."),
                code="invoice_private",
            )
        if not expense.invoice:
            raise NotFound(_("Cette dépense n'a pas de facture."), code="no_invoice")
        return FileResponse(
            open_stored(expense.invoice),
            as_attachment=True,
            filename=expense.invoice.name.rsplit("/", 1)[-1],
        )


class ExplorationGrant(CommonsScoped, APIView):
    """A funder or the buyer grants an exploration budget to the team exploring the
    commons: an income of its ledger and a payout the host then pays."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ExplorationInput, responses={201: ExpenseSerializer})
    def post(self, request, commons_pk):
        data = validated(ExplorationInput, request)
        payout = ledger_services.exploration_grant(
            actor=request.user, commons=self.commons(), **data
        )
        return self.expense_response(payout, status.HTTP_201_CREATED)


class LedgerCsv(CommonsScoped, APIView):
    """The public ledger as a spreadsheet: the money received and paid, with the
    running balance (``;``, decimal comma, UTF-8 with BOM)."""

    @extend_schema(
        operation_id="ledger_export_csv", responses={(200, "text/csv"): OpenApiTypes.BINARY}
    )
    def get(self, request, commons_pk):
        commons = self.commons()
        content = exports.render_csv(
            (
                _("Date"),
                _("Opération"),
                _("Organisation"),
                _("Objet"),
                _("Référence"),
                _("Montant (€)"),
                _("Solde (€)"),
            ),
            [_statement_row(line) for line in queries.ledger_statement(commons)],
        )
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="registre-{commons.slug}.csv"'
        return response


def _statement_row(line: queries.StatementLine) -> tuple:
    entry = line.entry
    if line.is_expense:
        operation = str(entry.get_kind_display())
        who, subject, reference = entry.organisation.name, entry.label, entry.payment_reference
    else:
        operation = _("Recette") + " — " + str(entry.get_kind_display())
        who, subject, reference = entry.source_name, entry.subsidy_label, entry.reference
    return (
        line.day.strftime("%d/%m/%Y"),
        operation,
        who,
        subject,
        reference,
        line.amount,
        line.balance,
    )
