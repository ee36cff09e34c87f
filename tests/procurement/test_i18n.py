"""Errors speak the caller's language: French by default, English on request."""

import pytest
from rest_framework.test import APIClient


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "Appel à communs introuvable."), ("en", "Call for commons not found.")],
)
def test_a_missing_challenge_is_reported_in_the_callers_language(language, expected):
    # when an unknown challenge is asked for in a given language
    response = APIClient().get("/api/v1/challenges/999999/", HTTP_ACCEPT_LANGUAGE=language)
    # then the error keeps its stable shape and its message is translated
    assert response.status_code == 404
    assert response.json() == {"code": "challenge_not_found", "message": expected, "fields": {}}
