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
    "429": "Trop de requêtes.",
}


class AutoSchema(BaseAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        # Reads may be refused too (403), and filtered lists answer 400 on a bad filter.
        codes = ["400", "401", "403", "404", "429"]
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("409")
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]),
                    code,
                    direction=direction,
                )
        return responses
