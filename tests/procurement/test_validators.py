import pytest
from django.core.exceptions import ValidationError

from procurement.models import Organisation, OrganisationKind
from procurement.validators import (
    validate_cpv,
    validate_execution_place,
    validate_licence,
    validate_rna,
    validate_siren,
    validate_siret,
    validate_tva,
)


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


@pytest.mark.parametrize(
    "siret",
    [
        "73282932000074",
        # La Poste's establishments: digits summing to a multiple of 5, not Luhn
        "35600000000010",
        "35600000049837",
        # La Poste's head office, which follows Luhn like everyone else
        "35600000000048",
    ],
)
def test_valid_siret_is_accepted_including_la_poste(siret):
    # given / when / then no error
    validate_siret(siret)


@pytest.mark.parametrize(
    "siret",
    [
        "35600000000011",  # digits sum to 16: not one of La Poste's establishments
        "35600000000049",  # the head office with a wrong Luhn key
    ],
)
def test_la_poste_siret_with_a_wrong_key_is_refused(siret):
    # given / when
    with pytest.raises(ValidationError) as excinfo:
        validate_siret(siret)
    # then
    assert excinfo.value.code == "siret_checksum"


@pytest.mark.parametrize("siret", ["732 829 320 00074", "7328293200007"])
def test_siret_is_refused_unless_it_is_fourteen_bare_digits(siret):
    # given / when
    with pytest.raises(ValidationError) as excinfo:
        validate_siret(siret)
    # then
    assert excinfo.value.code == "siret_format"


def test_siret_with_a_wrong_key_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        validate_siret("73282932000075")
    assert excinfo.value.code == "siret_checksum"


@pytest.mark.parametrize("number", ["FR44732829320", "FR62200093201"])
def test_valid_french_vat_number_is_accepted(number):
    # given the VAT number built from a valid SIREN / when / then no error
    validate_tva(number)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("FR45732829320", "tva_checksum"),  # wrong key
        ("FR47732829321", "tva_checksum"),  # the right key over a SIREN failing Luhn
        ("FR 44 732829320", "tva_format"),
        ("DE44732829320", "tva_format"),
        ("FR4473282932", "tva_format"),
    ],
)
def test_wrong_vat_number_is_refused_with_its_reason(number, code):
    # given / when
    with pytest.raises(ValidationError) as excinfo:
        validate_tva(number)
    # then the error says whether the format or the key is wrong, in French
    assert excinfo.value.code == code
    assert "TVA" in str(excinfo.value.message)


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


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("03000000", True),  # the first division of the CPV
        ("98000000", True),  # the last
        ("02000000", False),
        ("99000000", False),
        ("72260000-5", True),  # with its check digit
        ("72260000-", False),
        ("7226000", False),
        ("722600000", False),
    ],
)
def test_a_cpv_code_is_checked_at_its_bounds(code, valid):
    # when a CPV code is validated, then only eight digits of a division pass
    if valid:
        validate_cpv(code)
    else:
        with pytest.raises(ValidationError) as refused:
            validate_cpv(code)
        assert refused.value.code == "cpv_format"


@pytest.mark.parametrize(
    ("kind", "code", "valid"),
    [
        ("department", "01", True),
        ("department", "95", True),
        ("department", "2A", True),
        ("department", "971", True),
        ("department", "976", True),
        ("department", "00", False),
        ("department", "96", False),
        ("department", "977", False),
        ("commune", "59350", True),
        ("commune", "2B033", True),
        ("commune", "5935", False),
        ("postal_code", "59000", True),
        ("country", "FR", True),
        ("country", "FRA", False),
        ("", "", True),  # no place yet
    ],
)
def test_a_place_of_execution_is_checked_against_its_type(kind, code, valid):
    if valid:
        validate_execution_place(kind, code)
    else:
        with pytest.raises(ValidationError) as refused:
            validate_execution_place(kind, code)
        assert "execution_place_code" in refused.value.message_dict
