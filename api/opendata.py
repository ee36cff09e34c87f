"""The open data of the signed contracts, for anyone, signed in or not: the données
essentielles (DECP 2.0.3) and the OCDS 1.1 release and record packages, a feed paged by
the date of signature with an opaque cursor (``next``), from a date (``since``), under
the Licence Ouverte 2.0. Only signed marchés publics appear: nothing of a draft, of a
call still running, of an award not signed, nor of any proposal but the awarded ones."""

from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.serializers import Serializer
from procurement.opendata import decp, ocds
from workflows.opendata import MAX_PAGE_SIZE, PAGE_SIZE, Cursor, Page, calls_page, package_kwargs


class FeedQuery(Serializer):
    since = serializers.CharField(required=False)
    cursor = serializers.CharField(required=False)
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=PAGE_SIZE
    )

    def validate_since(self, value: str) -> datetime:
        """A day (from midnight, Paris time) or a moment with its offset."""
        try:
            if len(value) == 10:
                day = datetime.fromisoformat(value).date()
                return timezone.make_aware(datetime.combine(day, time.min))
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise serializers.ValidationError(
                _("Indiquez une date (AAAA-MM-JJ) ou un instant avec son fuseau (ISO 8601).")
            )
        return moment

    def validate_cursor(self, value: str) -> Cursor:
        return Cursor.decode(value)


PARAMETERS = [
    OpenApiParameter(
        "since",
        OpenApiTypes.STR,
        description=(
            "Marchés signés à partir de cette date (AAAA-MM-JJ, heure de Paris) ou de cet "
            "instant (ISO 8601 avec fuseau)."
        ),
    ),
    OpenApiParameter(
        "cursor",
        OpenApiTypes.STR,
        description="Curseur opaque de la page suivante : reprenez le lien « next ».",
    ),
    OpenApiParameter(
        "page_size",
        OpenApiTypes.INT,
        description=f"Appels par page ({PAGE_SIZE} par défaut, {MAX_PAGE_SIZE} au plus).",
    ),
]


class Feed(APIView):
    """A page of the open-data feed; subclasses say what each call becomes."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    pagination_class = None

    def page(self) -> tuple[Page, str | None]:
        query = FeedQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        page = calls_page(
            since=data.get("since"), cursor=data.get("cursor"), size=data["page_size"]
        )
        next_uri = None
        if page.next is not None:
            params = self.request.query_params.copy()
            params["cursor"] = page.next.encode()
            next_uri = self.request.build_absolute_uri(f"{self.request.path}?{params.urlencode()}")
        return page, next_uri

    def answer(self, body: dict, next_uri: str | None) -> Response:
        response = Response(body)
        if next_uri:
            response["Link"] = f'<{next_uri}>; rel="next"'
        return response


class DecpFeed(Feed):
    @extend_schema(
        parameters=PARAMETERS,
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=(
                    "Les données essentielles des marchés (format DECP 2.0.3 : "
                    "`marches.marche`), un par lot attribué, et `links.next` vers la page "
                    "suivante (absent sur la dernière)."
                ),
            )
        },
    )
    def get(self, request):
        page, next_uri = self.page()
        body = decp.document(list(decp.marches(page.calls)))
        if next_uri:
            body["links"] = {"next": next_uri}
        return self.answer(body, next_uri)


class OcdsReleases(Feed):
    @extend_schema(
        parameters=PARAMETERS,
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=(
                    "Un paquet de releases OCDS 1.1 (appel, modifications, attribution, "
                    "contrats de chaque appel signé), `links.next` vers la page suivante."
                ),
            )
        },
    )
    def get(self, request):
        page, next_uri = self.page()
        releases = [release for call in page.calls for release in ocds.releases(call)]
        body = ocds.package(
            "releases",
            releases,
            **package_kwargs(request.build_absolute_uri(), next_uri=next_uri),
        )
        return self.answer(body, next_uri)


class OcdsRecords(Feed):
    @extend_schema(
        parameters=PARAMETERS,
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=(
                    "Un paquet de records OCDS 1.1 : pour chaque appel signé, ses releases "
                    "et sa release compilée ; `links.next` vers la page suivante."
                ),
            )
        },
    )
    def get(self, request):
        page, next_uri = self.page()
        body = ocds.package(
            "records",
            [ocds.record(call) for call in page.calls],
            **package_kwargs(request.build_absolute_uri(), next_uri=next_uri),
        )
        return self.answer(body, next_uri)
