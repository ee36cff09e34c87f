"""What the API's views share. Each view is thin: it resolves the objects the caller
may see, validates the input, calls one service and serialises the result; the views
live with their concept's serializers (``api.challenges``, ``api.proposals``…)."""

from typing import Any

from django.utils.translation import gettext as _

from kernel.errors import Forbidden
from procurement import queries

# One instance per serializer class answering through ``represented`` (see there).
_representers: dict[type, Any] = {}


def represented(serializer_class, instance) -> dict:
    """What ``serializer_class(instance).data`` gives, by one instance of the class kept
    for the process: its fields, and its nested serializers' fields, are built and bound
    once, not on each answer. Building them was most of a serializer's cost for one
    object (the 201 of a submission: every nested serializer's fields copied again),
    and none of the service's serializers depends on its instance or context
    (``kernel.serializers``): for a serializer used without context only. Writing an
    answer reads the fields and writes nothing on them, so threads may share them."""
    serializer = _representers.get(serializer_class)
    if serializer is None:
        serializer = _representers.setdefault(serializer_class, serializer_class())
    return serializer.to_representation(instance)


def validated(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ChallengeScoped:
    """Resolves the challenge of the URL among those the caller may see (else 404)."""

    #: True for a view that serves something of the call's, not the call: the call is
    #: read light (``access_challenge``).
    challenge_light = False

    def challenge(self):
        if not hasattr(self, "_challenge"):
            self._challenge = queries.access_challenge(
                user=self.request.user, pk=self.kwargs["challenge_pk"], light=self.challenge_light
            )
        return self._challenge

    def get_queryset(self):
        # The schema generator has no URL kwargs: describe the model, query nothing.
        if getattr(self, "swagger_fake_view", False):
            return self.serializer_class.Meta.model.objects.none()
        return self.scoped_queryset()

    def require_buyer_staff(self):
        if not queries.is_buyer_staff(self.request.user, self.challenge()):
            raise Forbidden(_("Réservé aux agents de l'acheteur."), code="buyer_only")
