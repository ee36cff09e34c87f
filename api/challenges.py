"""Challenges and their resources: the caller lists those it may see, a buyer creates
one (which starts its process), changes its draft or cancels it."""

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import NotFound
from kernel.serializers import ModelSerializer, Serializer
from procurement import queries
from procurement.models import Challenge, ChallengeResource, Commons, Framing, Lot, Organisation
from procurement.models.challenges import AggregationMethod, ContractNature, ExecutionPlaceKind
from procurement.services.award_rules import publication_warnings
from procurement.services.essential_data import challenge_essential_data_set
from procurement.services.hosting import resource_host_designate
from scoring.votes import vote_for
from workflows.models import ChallengeProcess
from workflows.operations import call_draft_save
from workflows.services import process_cancel, process_start

from .commons import CommonsSerializer
from .pagination import PageOrCursorPagination
from .serializers import OrganisationRefSerializer
from .views import ChallengeScoped, validated
from .votes import VotePlanInput, VoteSerializer, plan_kwargs


class ResourceSerializer(ModelSerializer):
    position_count = serializers.IntegerField(read_only=True)
    lot = serializers.IntegerField(
        source="lot.number",
        read_only=True,
        default=None,
        allow_null=True,
        help_text="Numéro de son lot.",
    )
    public_organisations = serializers.SerializerMethodField(
        help_text="Noms des organisations positionnées qui acceptent de les rendre publics."
    )

    class Meta:
        model = ChallengeResource
        fields = [
            "id",
            "title",
            "description",
            "commons",
            "expected_licence",
            "order",
            "lot",
            "position_count",
            "public_organisations",
        ]

    def get_public_organisations(self, resource) -> list[str]:
        # Filled by queries.resources_of (one query for all resources).
        return [p.organisation.name for p in getattr(resource, "public_positions", [])]


class LotResourceSerializer(ModelSerializer):
    class Meta:
        model = ChallengeResource
        fields = ["id", "title", "expected_licence"]


class LotSerializer(ModelSerializer):
    resources = LotResourceSerializer(many=True, read_only=True)

    class Meta:
        model = Lot
        fields = [
            "id",
            "number",
            "title",
            "estimated_amount",
            "reserved_ess",
            "reserved_disability",
            "reserved_insertion",
            "outcome",
            "outcome_at",
            "outcome_reason",
            "resources",
        ]
        read_only_fields = ["outcome", "outcome_at", "outcome_reason"]


class LotInput(Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    estimated_amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        help_text="Montant estimé HT du lot, en euros.",
    )
    reserved_ess = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "Lot réservé aux structures de l'économie sociale et solidaire (article "
            "L2113-15 : services de santé, sociaux et culturels, trois ans au plus)."
        ),
    )
    reserved_disability = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "Lot réservé aux entreprises adaptées et aux ESAT employant au moins 50 % de "
            "travailleurs handicapés (articles L2113-12 et R2113-7) ; cumulable avec la "
            "réservation aux structures d'insertion (article L2113-14)."
        ),
    )
    reserved_insertion = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "Lot réservé aux structures d'insertion par l'activité économique employant au "
            "moins 50 % de travailleurs défavorisés (articles L2113-13 et R2113-7)."
        ),
    )


class ResourceInput(Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    commons = serializers.PrimaryKeyRelatedField(
        queryset=Commons.objects.all(), required=False, allow_null=True
    )
    expected_licence = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )
    lot = serializers.IntegerField(
        min_value=1,
        max_value=999,
        required=False,
        help_text="Numéro de son lot (dans « lots ») ; sans « lots », un lot par ressource.",
    )

    def validate(self, attrs):
        if not attrs.get("title") and not attrs.get("commons"):
            raise serializers.ValidationError(
                {"title": ["Donnez un titre à la ressource ou choisissez un commun du catalogue."]}
            )
        return attrs


class ChallengeSerializer(ModelSerializer):
    buyer = OrganisationRefSerializer(read_only=True)
    chambre = OrganisationRefSerializer(read_only=True)
    process = serializers.IntegerField(
        source="process.pk", read_only=True, default=None, allow_null=True
    )
    resource_count = serializers.IntegerField(read_only=True)
    warnings = serializers.SerializerMethodField(
        help_text="Avertissements sur l'appel publié (délai de remise court en MAPA)."
    )

    class Meta:
        model = Challenge
        fields = [
            "id",
            "reference",
            "title",
            "context",
            "buyer",
            "chambre",
            "status",
            "estimated_amount",
            "framing",
            "multi_lot_proposals",
            "single_lot_reason",
            "aggregation_method",
            "contract_nature",
            "contract_duration_months",
            "personal_data",
            "fair_rate_min",
            "fair_rate_max",
            "exploration_planned",
            "exploration_budget",
            "exploration_end",
            "cpv_code",
            "execution_place_kind",
            "execution_place_code",
            "innovative",
            "positioning_deadline",
            "proposal_deadline",
            "questions_deadline",
            "cofunding_deadline",
            "planned_positioning_deadline",
            "planned_proposal_deadline",
            "published_at",
            "proposals_opened_at",
            "award_decided_at",
            "letters_sent_at",
            "standstill_ends_at",
            "awarded_at",
            "cancelled_at",
            "cancel_reason",
            "process",
            "resource_count",
            "created_at",
            "warnings",
        ]

    def get_warnings(self, challenge) -> list[str]:
        return publication_warnings(challenge)


# The columns a page of calls reads: the call's own that ``ChallengeSerializer`` shows,
# its buyer's and Chambre's reference (and the buyer's category, which ``warnings``
# reads), its process' key. The other columns of the organisations and of the process
# cost most of a page's rows to read and make into objects.
_CHALLENGE_COLUMNS = {field.name for field in Challenge._meta.concrete_fields}
LIST_COLUMNS = [
    *(name for name in ChallengeSerializer.Meta.fields if name in _CHALLENGE_COLUMNS),
    *(
        f"{organisation}__{field}"
        for organisation in ("buyer", "chambre")
        for field in OrganisationRefSerializer.Meta.fields
    ),
    "buyer__buyer_category",
    f"process__{ChallengeProcess._meta.pk.name}",
]


class ChallengeDetailSerializer(ChallengeSerializer):
    """One call, with the collective vote it plans (``null``: none)."""

    collective_vote = serializers.SerializerMethodField()

    class Meta(ChallengeSerializer.Meta):
        fields = [*ChallengeSerializer.Meta.fields, "collective_vote"]

    @extend_schema_field(VoteSerializer(allow_null=True))
    def get_collective_vote(self, challenge) -> dict | None:
        vote = vote_for(challenge)
        return None if vote is None else VoteSerializer(vote).data


class CriterionInput(Serializer):
    code = serializers.SlugField(max_length=40)
    label = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    kind = serializers.CharField(required=False, default="other")
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    scale = serializers.CharField(required=False, default="0-10")
    threshold = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True
    )


class EssentialDataInput(Serializer):
    """The données essentielles the buyer alone knows (article R2196-1 of the code de la
    commande publique), published with each contract once signed."""

    cpv_code = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        help_text=(
            "Code CPV principal de l'objet du marché : 8 chiffres, avec ou sans chiffre de "
            "contrôle (72260000 ou 72260000-5)."
        ),
    )
    execution_place_kind = serializers.ChoiceField(
        choices=ExecutionPlaceKind.choices,
        required=False,
        allow_blank=True,
        help_text="Type du code du lieu d'exécution principal (codes INSEE de préférence).",
    )
    execution_place_code = serializers.CharField(
        max_length=10,
        required=False,
        allow_blank=True,
        help_text="Code du lieu d'exécution principal (ex. 59350, code commune de Lille).",
    )
    innovative = serializers.BooleanField(
        required=False, help_text="Marché innovant (travaux, fournitures ou services innovants)."
    )


class ExplorationPlanInput(Serializer):
    # The exploration a call plans before its cofunding (seed 003): on creating or
    # updating a draft alike.
    exploration_planned = serializers.BooleanField(
        required=False,
        help_text=(
            "Exploration avant cofinancement : chaque équipe retenue explore d'abord avec un "
            "petit budget ; seuls les communs qui ont fait leurs preuves sont cofinancés."
        ),
    )
    exploration_budget = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Budget d'exploration par équipe, de 1 000 € à 3 000 € (bornes comprises).",
    )
    exploration_end = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Fin de l'exploration, après la date limite des propositions.",
    )


class ChallengeCreateInput(ExplorationPlanInput, EssentialDataInput):
    buyer = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    chambre = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    title = serializers.CharField(max_length=200)
    context = serializers.CharField()
    estimated_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    aggregation_method = serializers.ChoiceField(choices=AggregationMethod.choices, required=False)
    framing = serializers.ChoiceField(choices=Framing.choices, required=False)
    multi_lot_proposals = serializers.BooleanField(required=False, default=False)
    single_lot_reason = serializers.CharField(required=False, allow_blank=True, default="")
    contract_nature = serializers.ChoiceField(choices=ContractNature.choices, required=False)
    contract_duration_months = serializers.IntegerField(
        min_value=1,
        max_value=120,
        required=False,
        help_text="Durée du marché en mois, imprimée au CCAP (12 par défaut).",
    )
    personal_data = serializers.BooleanField(
        required=False,
        help_text=(
            "Le titulaire traite des données personnelles pour l'acheteur : le CCAP le lie "
            "comme sous-traitant (article 28 du RGPD)."
        ),
    )
    resources = ResourceInput(many=True, allow_empty=False)
    lots = LotInput(many=True, required=False, allow_empty=False)
    criteria = CriterionInput(many=True, required=False)


class ChallengeUpdateInput(ExplorationPlanInput, EssentialDataInput):
    title = serializers.CharField(max_length=200, required=False)
    context = serializers.CharField(required=False)
    estimated_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    aggregation_method = serializers.ChoiceField(choices=AggregationMethod.choices, required=False)
    framing = serializers.ChoiceField(choices=Framing.choices, required=False)
    multi_lot_proposals = serializers.BooleanField(required=False)
    single_lot_reason = serializers.CharField(required=False, allow_blank=True)
    contract_nature = serializers.ChoiceField(choices=ContractNature.choices, required=False)
    contract_duration_months = serializers.IntegerField(
        min_value=1,
        max_value=120,
        required=False,
        help_text="Durée du marché en mois, imprimée au CCAP (12 par défaut).",
    )
    personal_data = serializers.BooleanField(
        required=False,
        help_text=(
            "Le titulaire traite des données personnelles pour l'acheteur : le CCAP le lie "
            "comme sous-traitant (article 28 du RGPD)."
        ),
    )
    fair_rate_min = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text=(
            "Juste rémunération : taux horaire HT minimal attendu des contributeurs "
            "(30 € par défaut), au plus le maximal."
        ),
    )
    fair_rate_max = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text="Juste rémunération : taux horaire HT maximal (45 € par défaut).",
    )
    planned_positioning_deadline = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Fin des positionnements prévue (préremplit la publication).",
    )
    planned_proposal_deadline = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Date limite des propositions prévue, après la fin des positionnements.",
    )
    resources = ResourceInput(many=True, required=False)
    lots = LotInput(many=True, required=False, allow_empty=False)
    collective_vote = VotePlanInput(
        required=False,
        help_text=(
            "Un vote collectif (jugement majoritaire) des financeurs et des contributeurs "
            "sur les communs à cofinancer, avant le tour de cofinancement."
        ),
    )


class CancelInput(Serializer):
    reason = serializers.CharField(max_length=5000)


class ChallengeList(generics.ListAPIView):
    """Challenges the caller may see, paged by number with their count or by cursor
    (``?cursor=``) without it; creating one starts its process."""

    serializer_class = ChallengeSerializer
    filterset_fields = ["status", "buyer"]
    pagination_class = PageOrCursorPagination

    def get_queryset(self):
        return (
            queries.challenges_visible_to(self.request.user)
            .select_related("process")
            .only(*LIST_COLUMNS)
        )

    @extend_schema(request=ChallengeCreateInput, responses={201: ChallengeSerializer})
    def post(self, request):

        if not request.user.is_authenticated:
            raise NotAuthenticated()
        data = validated(ChallengeCreateInput, request)
        process = process_start(actor=request.user, **data)
        challenge = queries.access_challenge(user=request.user, pk=process.challenge_id)
        return Response(ChallengeSerializer(challenge).data, status=status.HTTP_201_CREATED)


class ChallengeCancel(ChallengeScoped, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=CancelInput, responses=ChallengeSerializer)
    def post(self, request, challenge_pk):

        data = validated(CancelInput, request)
        process_cancel(actor=request.user, challenge=self.challenge(), reason=data["reason"])
        return Response(
            ChallengeSerializer(queries.access_challenge(user=request.user, pk=challenge_pk)).data
        )


class ChallengeDetail(ChallengeScoped, APIView):
    @extend_schema(responses=ChallengeDetailSerializer)
    def get(self, request, challenge_pk):
        return Response(ChallengeDetailSerializer(self.challenge()).data)

    @extend_schema(request=ChallengeUpdateInput, responses=ChallengeDetailSerializer)
    def patch(self, request, challenge_pk):
        data = validated(ChallengeUpdateInput, request)
        vote = data.pop("collective_vote", None)
        challenge = call_draft_save(
            challenge=self.challenge(),
            actor=request.user,
            fields=data,
            vote=None if vote is None else plan_kwargs(vote),
        )
        return Response(
            ChallengeDetailSerializer(
                queries.access_challenge(user=request.user, pk=challenge.pk)
            ).data
        )


class LotList(ChallengeScoped, generics.ListAPIView):
    """The call's lots, each with its estimate and resources; positions, proposals, the
    ranking, the selection and the pieces are per lot."""

    serializer_class = LotSerializer
    pagination_class = None

    def scoped_queryset(self):
        return queries.lots_of(self.challenge())


class ResourceList(ChallengeScoped, generics.ListAPIView):
    serializer_class = ResourceSerializer
    pagination_class = None

    def scoped_queryset(self):
        return queries.resources_of(self.challenge())


class ResourceHostInput(Serializer):
    host = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        help_text="La structure hébergeuse qui reçoit les fonds du commun et les reverse.",
    )
    hosting_fee = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        help_text=(
            "Frais d'hébergement en pourcentage des fonds reçus (0, par défaut : hébergement "
            "gratuit), imprimés dans le contrat d'hébergement."
        ),
    )


class ResourceHost(ChallengeScoped, APIView):
    """The buyer designates the structure hébergeuse of a resource's commons, before the
    award pieces and before any money moves for it: the conventions, the reciprocity
    contracts and the contrat d'hébergement name it as a party. The host's fee may be
    given at once, or later by posting again with the same host (409 ``no_host`` while
    the commons has none)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ResourceHostInput, responses={200: CommonsSerializer})
    def post(self, request, challenge_pk, pk):
        resource = self.challenge().resources.filter(pk=pk).first()
        if resource is None:
            raise NotFound(_("Ressource introuvable."), code="resource_not_found")
        data = validated(ResourceHostInput, request)
        commons = resource_host_designate(actor=request.user, resource=resource, **data)
        return Response(CommonsSerializer(commons).data)


class ChallengeEssentialData(ChallengeScoped, APIView):
    """The buyer gives or corrects the données essentielles it alone knows — the main
    CPV code, the main place of execution, whether the contract is innovative — from the
    draft until the signature; the award is refused while one is missing (400, code
    ``essential_data_missing``)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=EssentialDataInput, responses=ChallengeSerializer)
    def patch(self, request, challenge_pk):
        data = validated(EssentialDataInput, request)
        challenge = challenge_essential_data_set(
            challenge=self.challenge(), actor=request.user, **data
        )
        return Response(
            ChallengeSerializer(queries.access_challenge(user=request.user, pk=challenge.pk)).data
        )
