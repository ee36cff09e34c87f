from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from babel.numbers import format_decimal

from kernel.formats import (
    THOUSANDS_SEP,
    UNIT_SEP,
    amount_in_words_fr,
    format_date_fr,
    format_datetime_fr,
    format_eur,
    format_number,
    format_percent,
    integer_in_words_fr,
)

PARIS = ZoneInfo("Europe/Paris")
NNBSP, NBSP = "\u202f", "\u00a0"


def test_separators_are_the_documented_no_break_spaces():
    # given / when / then: digits grouped by U+202F, a unit tied by U+00A0
    assert (THOUSANDS_SEP, UNIT_SEP) == (NNBSP, NBSP)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 11, 22), "22 novembre 2026"),
        (date(2027, 3, 1), "1er mars 2027"),
        (date(2026, 8, 15), "15 août 2026"),
        (date(2026, 2, 1), "1er février 2026"),
        (date(2026, 12, 31), "31 décembre 2026"),
        # 23:30 UTC on 31 October is already 1 November in Paris (UTC+1 in winter)
        (datetime(2026, 10, 31, 23, 30, tzinfo=UTC), "1er novembre 2026"),
        (datetime(2026, 11, 22, 12, 0, tzinfo=PARIS), "22 novembre 2026"),
    ],
)
def test_format_date_fr_writes_day_month_year_with_1er(value, expected):
    # given a date or an aware datetime
    # when
    text = format_date_fr(value)
    # then
    assert text == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 11, 22, 11, 0, tzinfo=UTC), "22 novembre 2026 à 12 h 00"),
        (datetime(2026, 7, 14, 10, 5, tzinfo=UTC), "14 juillet 2026 à 12 h 05"),
        (datetime(2027, 1, 1, 0, 0, tzinfo=PARIS), "1er janvier 2027 à 0 h 00"),
    ],
)
def test_format_datetime_fr_gives_paris_wall_clock_time(value, expected):
    # given an aware datetime in any zone
    # when
    text = format_datetime_fr(value)
    # then
    assert text == expected.replace(" h ", f"{NBSP}h{NBSP}")


@pytest.mark.parametrize("formatter", [format_date_fr, format_datetime_fr])
def test_naive_datetimes_are_refused(formatter):
    # given a datetime without time zone
    naive = datetime(2026, 11, 22, 12, 0)  # noqa: DTZ001 - the case under test
    # when / then
    with pytest.raises(ValueError, match="naive"):
        formatter(naive)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0", "0,00 €"),
        ("1", "1,00 €"),
        ("0.5", "0,50 €"),
        ("999", "999,00 €"),
        ("1000", "1 000,00 €"),
        ("12500.00", "12 500,00 €"),
        ("1000000", "1 000 000,00 €"),
        ("999999999999.99", "999 999 999 999,99 €"),
        ("1234.565", "1 234,57 €"),  # half-up to the cent
        ("-12.5", "-12,50 €"),
    ],
)
def test_format_eur_groups_thousands_and_keeps_two_decimals(amount, expected):
    # given
    value = Decimal(amount)
    # when
    text = format_eur(value)
    # then: spaces in `expected` stand for U+202F in the number and U+00A0 before €
    assert text == expected.replace(" €", f"{NBSP}€").replace(" ", NNBSP)


def test_format_eur_writes_english_amounts_the_english_way():
    # given an English page
    # when
    text = format_eur(Decimal("12500.5"), locale="en")
    # then
    assert text == "€12,500.50"


def test_format_eur_refuses_floats():
    # given / when / then
    with pytest.raises(TypeError, match="Decimal"):
        format_eur(12.5)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("20", "20 %"), ("5.5", "5,5 %"), ("35.00", "35 %"), ("100", "100 %"), ("33.33", "33,33 %")],
)
def test_format_percent_drops_trailing_zeros(value, expected):
    # given / when
    text = format_percent(Decimal(value))
    # then
    assert text == expected.replace(" ", NBSP)


def test_format_number_rounds_to_the_requested_places():
    # given / when / then
    assert format_number(Decimal("7.5")) == "7,5"
    assert format_number(Decimal("82.555"), 2) == "82,56"
    assert format_number(Decimal("12500"), 2) == f"12{NNBSP}500,00"
    assert format_number(Decimal("2.5"), 0) == "3"
    assert format_number(Decimal("12500.5"), locale="en") == "12,500.5"


def test_a_number_written_once_is_written_the_same_in_every_form_asked_after():
    # given a mark written with two places, in English, then as it is (the written forms
    # are remembered: a pack writes the same marks thousands of times)
    assert format_number(Decimal("6.50"), 2) == "6,50"
    assert format_number(Decimal("6.50"), 2, locale="en") == "6.50"
    # when / then each later call says what it was asked, not what was written before
    assert format_number(Decimal("6.5")) == "6,5"
    assert format_number(Decimal("6.500"), 1) == "6,5"
    assert format_number(Decimal("0.00"), 2) == "0,00"  # equal to -0.00, not written alike
    assert format_number(Decimal("-0.00"), 2) == format_decimal(
        Decimal("-0.00"), "#,##0.00", locale="fr"
    )


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (0, "zéro"),
        (1, "un"),
        (16, "seize"),
        (17, "dix-sept"),
        (21, "vingt et un"),
        (22, "vingt-deux"),
        (61, "soixante et un"),
        (70, "soixante-dix"),
        (71, "soixante et onze"),
        (77, "soixante-dix-sept"),
        (80, "quatre-vingts"),
        (81, "quatre-vingt-un"),
        (90, "quatre-vingt-dix"),
        (91, "quatre-vingt-onze"),
        (99, "quatre-vingt-dix-neuf"),
        (100, "cent"),
        (101, "cent un"),
        (180, "cent quatre-vingts"),
        (200, "deux cents"),
        (201, "deux cent un"),
        (1000, "mille"),
        (1001, "mille un"),
        (2000, "deux mille"),
        (21000, "vingt et un mille"),
        (80000, "quatre-vingt mille"),
        (200000, "deux cent mille"),
        (1_000_000, "un million"),
        (2_000_000, "deux millions"),
        (80_000_000, "quatre-vingts millions"),
        (200_000_000, "deux cents millions"),
        (1_200_000, "un million deux cent mille"),
        (1_000_000_000, "un milliard"),
        (
            999_999_999_999,
            "neuf cent quatre-vingt-dix-neuf milliards neuf cent quatre-vingt-dix-neuf "
            "millions neuf cent quatre-vingt-dix-neuf mille neuf cent quatre-vingt-dix-neuf",
        ),
    ],
)
def test_integer_in_words_follows_french_agreement_rules(number, expected):
    # given / when
    words = integer_in_words_fr(number)
    # then
    assert words == expected


@pytest.mark.parametrize("number", [-1, 1_000_000_000_000])
def test_integer_in_words_refuses_numbers_out_of_range(number):
    # given / when / then
    with pytest.raises(ValueError, match="out of range"):
        integer_in_words_fr(number)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0", "zéro euro"),
        ("1", "un euro"),
        ("21", "vingt et un euros"),
        ("71", "soixante et onze euros"),
        ("80", "quatre-vingts euros"),
        ("81", "quatre-vingt-un euros"),
        ("100", "cent euros"),
        ("200", "deux cents euros"),
        ("1000", "mille euros"),
        ("1000000", "un million d'euros"),
        ("3000000", "trois millions d'euros"),
        ("120000.50", "cent vingt mille euros et cinquante centimes"),
        ("1000000.80", "un million d'euros et quatre-vingts centimes"),
        ("2000000000", "deux milliards d'euros"),
        ("1000001", "un million un euros"),
        ("12500.00", "douze mille cinq cents euros"),
        ("15000.00", "quinze mille euros"),
        # the bounds of the centimes: none is named at 0, one is at 1
        ("0.01", "zéro euro et un centime"),
        ("1.01", "un euro et un centime"),
        ("2.80", "deux euros et quatre-vingts centimes"),
        ("1234.565", "mille deux cent trente-quatre euros et cinquante-sept centimes"),
    ],
)
def test_amount_in_words_writes_euros_and_centimes(amount, expected):
    # given
    value = Decimal(amount)
    # when
    words = amount_in_words_fr(value)
    # then
    assert words == expected


@pytest.mark.parametrize("amount", ["-0.01", "1000000000000", "NaN"])
def test_amount_in_words_refuses_what_it_cannot_write(amount):
    # given / when / then
    with pytest.raises(ValueError, match="amount"):
        amount_in_words_fr(Decimal(amount))


@pytest.mark.parametrize("amount", ["0", "0.00", "12500.00", "1000000", "0.004"])
def test_amount_in_words_never_writes_zero_centime(amount):
    # given a whole amount (0.004 rounds to 0.00)
    value = Decimal(amount)
    # when
    words = amount_in_words_fr(value)
    # then a deed names no centime
    assert "centime" not in words
