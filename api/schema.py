"""OpenAPI: every operation documents the error responses it may give, with the one
error shape of API.md (drf-spectacular documents only successes by default)."""

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse

from api.errors import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": "Données invalides : `fields` nomme chaque champ en cause et la raison.",
    "401": "Authentification requise.",
    "403": "Action interdite à l'appelant (qui voit pourtant l'objet).",
    "404": "Objet introuvable ou invisible pour l'appelant.",
    "409": "État incompatible : échéance passée, tâche close ou prise, pli scellé.",
    "413": "Corps de la requête trop volumineux.",
    "429": "Trop de requêtes (`Retry-After` dit quand réessayer).",
    "503": (
        "Service momentanément indisponible (base de données injoignable) : "
        "`Retry-After` dit quand réessayer."
    ),
}

# The answers that say when to come back.
RETRY_AFTER = ("429", "503")
RETRY_AFTER_HEADER = {
    "schema": {"type": "integer", "minimum": 1},
    "description": "Secondes à attendre avant de réessayer.",
}


class AutoSchema(BaseAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        # Reads may be refused too (403), and filtered lists answer 400 on a bad filter;
        # any request may find the database down (503); a body may be too large (413);
        # any write may find the wrong state or lose a race to a concurrent one (409).
        codes = ["400", "401", "403", "404", "429", "503"]
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("409")
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("413")
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]),
                    code,
                    direction=direction,
                )
            if code in RETRY_AFTER:
                responses[code].setdefault("headers", {})["Retry-After"] = RETRY_AFTER_HEADER
        return responses
