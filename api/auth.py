"""API tokens that expire: issued by ``POST /api/v1/auth/token/`` (a username and a
password), valid ``API_TOKEN_TTL_HOURS`` after they were issued, replaced by a fresh one
with ``POST /api/v1/auth/token/refresh/`` while still valid (the old one stops working at
once), revoked by ``DELETE /api/v1/auth/token/``. An expired token answers 401
``token_expired``: the client signs in again.

The sign-in goes through Django's ``authenticate`` with the underlying request, so
django-axes counts its failures like the portal's (``config.lockout`` answers 429).
"""

from django.contrib.auth import authenticate, user_logged_in
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.serializers import Serializer

from .authentication import ExpiringTokenAuthentication, token_expires
from .errors import ErrorSerializer
from .parsers import BoundedJSONParser


def token_issue(user) -> Token:
    """The user's token: the current one while it is valid, otherwise a new one."""
    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and token_expires(token) > timezone.now():
            return token
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def token_rotate(token: Token) -> Token:
    """A new token for the holder of ``token``, which stops working at once."""
    with transaction.atomic():
        Token.objects.filter(pk=token.pk).delete()
        return Token.objects.create(user=token.user)


class CredentialsInput(Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"})


class TokenOutput(Serializer):
    token = serializers.CharField(help_text="À envoyer dans `Authorization: Token <token>`.")
    expires = serializers.DateTimeField(help_text="Fin de validité du jeton.")


def _token_body(token: Token) -> dict:
    return TokenOutput({"token": token.key, "expires": token_expires(token)}).data


LOCKED = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy(
        "Trop de tentatives échouées pour ce compte ou depuis cette adresse "
        "(`too_many_attempts`) : réessayer après `Retry-After` secondes."
    ),
)


class ObtainToken(APIView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [FormParser, MultiPartParser, BoundedJSONParser]

    @extend_schema(
        operation_id="auth_token_obtain",
        request=CredentialsInput,
        responses={200: TokenOutput, 429: LOCKED},
        description=(
            "Un jeton pour un nom d'utilisateur et un mot de passe : le jeton en cours s'il "
            "est encore valide, sinon un nouveau, valable `API_TOKEN_TTL_HOURS` heures "
            "(8 par défaut). Après trop d'échecs pour un compte ou depuis une adresse, "
            "429 avec `Retry-After`."
        ),
    )
    def post(self, request):
        data = CredentialsInput(data=request.data)
        data.is_valid(raise_exception=True)
        # The Django request, on which django-axes marks a lockout for its middleware.
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise exceptions.ValidationError({"non_field_errors": [_("Identifiants incorrects.")]})
        # As a sign-in: the last login is recorded, and django-axes clears the failures.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response(_token_body(token_issue(user)))

    @extend_schema(
        operation_id="auth_token_revoke",
        request=None,
        responses={204: None},
        description="Révoque le jeton présenté : il ne fonctionne plus.",
    )
    def delete(self, request):
        token = _presented_token(request)
        token.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_authenticators(self):
        # No authentication to sign in; the token itself to revoke it.
        request = getattr(self, "request", None)
        if request is not None and request.method == "DELETE":
            return [ExpiringTokenAuthentication()]
        return super().get_authenticators()


def _presented_token(request) -> Token:
    if not isinstance(request.auth, Token):
        raise exceptions.NotAuthenticated()
    return request.auth


class RefreshToken(APIView):
    authentication_classes = [ExpiringTokenAuthentication]
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="auth_token_refresh",
        request=None,
        responses={200: TokenOutput},
        description=(
            "Rotation : un nouveau jeton, valable `API_TOKEN_TTL_HOURS` heures, contre le "
            "jeton présenté tant qu'il est valide ; l'ancien cesse aussitôt de fonctionner. "
            "Un jeton expiré répond 401 (`token_expired`) : se reconnecter par "
            "`POST /api/v1/auth/token/`."
        ),
    )
    def post(self, request):
        return Response(_token_body(token_rotate(_presented_token(request))))
