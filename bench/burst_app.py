"""The WSGI application ``bench/burst.py`` serves with gunicorn: the service's own
(``config.wsgi``: the receipt stamp, every middleware, the API), plus the floor it is
measured against, a bare DRF insert endpoint at ``/api/v1/bench-bare/``: the same
token authentication, the same body validated by the same input serializer (less the
working group), one INSERT, an answer of the same size. Served by the same gunicorn,
in the same run."""

import json

from django.conf import settings
from django.db import connection
from django.urls import include, path

from config.wsgi import application  # noqa: F401 — what gunicorn serves (sets Django up)

BARE_TABLE = "bench_bare_insert"  # created by bench/burst.py in its own database


def bare_view():
    """Built once Django is set up (DRF's token model needs the app registry)."""
    from rest_framework import status
    from rest_framework.permissions import IsAuthenticated
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from api.proposals import ProposalInput

    class BareInput(ProposalInput):
        group = None

    class BareView(APIView):
        permission_classes = [IsAuthenticated]

        def post(self, request):
            data = BareInput(data=request.data)
            data.is_valid(raise_exception=True)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {BARE_TABLE} (user_id, body, created_at) "  # noqa: S608
                    "VALUES (%s, %s, now()) RETURNING id",
                    [request.user.pk, json.dumps(request.data)],
                )
                (pk,) = cursor.fetchone()
            return Response({"id": pk, **request.data}, status=status.HTTP_201_CREATED)

    return BareView.as_view()


urlpatterns = [
    path("api/v1/bench-bare/", bare_view()),
    path("", include("config.urls")),
]
settings.ROOT_URLCONF = __name__
