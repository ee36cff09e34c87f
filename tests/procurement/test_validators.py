import pytest
from django.core.exceptions import ValidationError

from procurement.models import Organisation, OrganisationKind
from procurement.validators import validate_licence, validate_rna, validate_siren, validate_siret


@pytest.mark.parametrize("siren", ["200093201", "732829320", "356000000"])
def test_valid_siren_is_accepted(siren):
    # given a SIREN with a correct Luhn key / when validated / then no error
    validate_siren(siren)


@pytest.mark.parametrize(
    ("siren", "code"),
    [("200093202", "siren_checksum"), ("12345678", "siren_format"), ("ABCDEFGHI", "siren_format")],
)
def test_wrong_siren_is_refused_with_its_reason(siren, code):
    # when an invalid SIREN is validated
    with pytest.raises(ValidationError) as excinfo:
        validate_siren(siren)
    # then the error says whether the format or the key is wrong, in French
    assert excinfo.value.code == code
    assert "SIREN" in str(excinfo.value.message)


@pytest.mark.parametrize("siret", ["73282932000074", "35600000000010"])
def test_valid_siret_is_accepted_including_la_poste(siret):
    validate_siret(siret)


def test_siret_with_a_wrong_key_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        validate_siret("73282932000075")
    assert excinfo.value.code == "siret_checksum"


@pytest.mark.parametrize("rna", ["W595012345", "W2A1234567"])
def test_valid_rna_is_accepted(rna):
    validate_rna(rna)


@pytest.mark.parametrize("rna", ["595012345", "W59501234", "X595012345", "W5950123456"])
def test_malformed_rna_is_refused(rna):
    with pytest.raises(ValidationError):
        validate_rna(rna)


def test_licence_must_be_open_or_a_listed_reciprocity_licence():
    validate_licence("EUPL-1.2")
    validate_licence("CoopyLeft")
    with pytest.raises(ValidationError) as excinfo:
        validate_licence("Proprietary")
    assert "Proprietary" in str(excinfo.value.messages[0])


@pytest.mark.django_db
def test_organisation_siret_must_extend_its_siren():
    # given an organisation whose SIRET does not start with its SIREN
    org = Organisation(
        name="Incohérente", kind=OrganisationKind.PARTNER, siren="200093201", siret="73282932000074"
    )
    # when it is validated, then the database constraint is reported
    with pytest.raises(ValidationError):
        org.full_clean()
