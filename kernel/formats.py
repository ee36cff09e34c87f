"""How dates, amounts and numbers are written: one function per job, for the generated
pieces (always in French) and the portal (in the page's language).

Babel (CLDR) writes the numbers, amounts and month names; num2words writes numbers in
words. What they leave to us is the French usage of legal pieces: ``1er`` for the first
of the month, ``12 h 00`` for a time, and the euros and centimes of an amount in words.

Spacing, as the French CLDR locale has it:

* ``THOUSANDS_SEP`` (U+202F, narrow no-break space) groups digits by three: ``12 500,00``;
* ``UNIT_SEP`` (U+00A0, no-break space) ties a number to its unit so that a line never
  breaks between them: ``12 500,00 €``, ``20 %``, ``12 h 00``.

Numbers in words follow the traditional spelling (hyphens only between tens and units
below one hundred, not around ``cent``, ``mille``, ``million``), as in "douze mille cinq
cents euros et cinquante centimes"; a whole amount says no centime at all ("douze mille
cinq cents euros", never "et zéro centime").

Amounts are ``Decimal`` in euros; they are rounded half-up to the cent before being
written, so the figures and the words always say the same amount.

No Django here: the document renderers import this module and stay pure; the portal
passes the page's locale itself.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal
from num2words import num2words

PARIS = ZoneInfo("Europe/Paris")
THOUSANDS_SEP = "\u202f"
UNIT_SEP = "\u00a0"
CENT = Decimal("0.01")
MAX_INTEGER_IN_WORDS = 999_999_999_999
MAX_AMOUNT_IN_WORDS = Decimal("999999999999.99")
FRENCH = "fr"


def to_paris(value: datetime) -> datetime:
    """Return an aware datetime in Europe/Paris; naive datetimes are refused."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime refused (no time zone): {value!r}")
    return value.astimezone(PARIS)


def format_date_fr(value: date | datetime) -> str:
    """``22 novembre 2026``, ``1er mars 2027``; a datetime is read in Europe/Paris."""
    day = to_paris(value).date() if isinstance(value, datetime) else value
    # CLDR writes "1 mars"; French legal and administrative texts write "1er mars".
    day_label = "1er" if day.day == 1 else str(day.day)
    return f"{day_label} {format_date(day, 'MMMM y', locale=FRENCH)}"


def format_datetime_fr(value: datetime) -> str:
    """``22 novembre 2026 à 12 h 00`` (Europe/Paris wall-clock time)."""
    local = to_paris(value)
    # CLDR's French time is "12:00"; administrative French writes "12 h 00".
    clock = format_time(local, f"H{UNIT_SEP}'h'{UNIT_SEP}mm", locale=FRENCH)
    return f"{format_date_fr(local)} à {clock}"


def _to_cents(amount: Decimal) -> Decimal:
    if not isinstance(amount, Decimal):
        raise TypeError(f"amounts are Decimal, got {type(amount).__name__}")
    if not amount.is_finite():
        raise ValueError(f"amount is not a finite number: {amount}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_number(value: Decimal, places: int | None = None, *, locale: str = FRENCH) -> str:
    """A decimal number: ``7,5``; ``12 500,00`` with ``places=2`` (rounded half-up).

    Without ``places`` trailing zeros are dropped (``20.0`` gives ``20``).
    """
    if not isinstance(value, Decimal):
        raise TypeError(f"numbers are Decimal, got {type(value).__name__}")
    if not value.is_finite():
        return _format_number(value, places, locale)
    # Equal decimals are written alike, but for the sign of a zero ("-0" is not "0").
    return _format_number_cached(value, value.is_signed(), places, locale)


@lru_cache(maxsize=4096)
def _format_number_cached(value: Decimal, _signed: bool, places: int | None, locale: str) -> str:
    # A pack writes the same marks, weights and scores thousands of times (the rapport
    # d'analyse: each evaluator's mark on each criterion of each proposal), and Babel
    # takes some ten microseconds each time.
    return _format_number(value, places, locale)


def _format_number(value: Decimal, places: int | None, locale: str) -> str:
    if places is None:
        return format_decimal(value.normalize(), locale=locale, decimal_quantization=False)
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(rounded, format=pattern, locale=locale)


def format_eur(amount: Decimal, *, locale: str = FRENCH) -> str:
    """``12 500,00 €`` in French (thousands: U+202F, before the sign: U+00A0);
    ``€12,500.00`` in English."""
    return format_currency(_to_cents(amount), "EUR", locale=locale)


def format_percent(value: Decimal) -> str:
    """``20 %``, ``5,5 %``: a rate given in percent (20 means 20 %)."""
    return f"{format_number(value)}{UNIT_SEP}%"


def integer_in_words_fr(number: int) -> str:
    """``21`` gives ``vingt et un``; valid for 0 to 999 999 999 999 (num2words says
    "billion" above, which a reader could take for the English billion)."""
    if not 0 <= number <= MAX_INTEGER_IN_WORDS:
        raise ValueError(f"number out of range 0..999 999 999 999: {number}")
    return num2words(number, lang="fr")


def _counted(count: int, noun: str) -> str:
    words = integer_in_words_fr(count)
    if words.endswith(("million", "millions", "milliard", "milliards")):
        return f"{words} d'{noun}s"  # un million d'euros: million is a noun
    # French puts the noun in the singular below two: "zéro centime", "un euro".
    return f"{words} {noun}{'s' if count > 1 else ''}"


def amount_in_words_fr(amount: Decimal) -> str:
    """``douze mille cinq cents euros``; ``deux euros et quatre-vingts centimes``;
    ``un million d'euros``.

    num2words' own currency form says "zéro euros", "zéro centimes" and "un million
    euros"; a deed says "zéro euro", "un million d'euros", and names the centimes only
    when there are some: "et zéro centime" is not written."""
    cents_total = _to_cents(amount)
    if cents_total < 0 or cents_total > MAX_AMOUNT_IN_WORDS:
        raise ValueError(f"amount out of range 0..{MAX_AMOUNT_IN_WORDS}: {amount}")
    euros = int(cents_total)
    cents = int((cents_total - euros) * 100)
    if cents == 0:
        return _counted(euros, "euro")
    return f"{_counted(euros, 'euro')} et {_counted(cents, 'centime')}"
