"""French forms for the generated pieces: dates, amounts, numbers in words.

Spacing rule, applied everywhere in the documents:

* ``THOUSANDS_SEP`` (U+202F, narrow no-break space) groups digits by three, as the
  French CLDR locale does: ``12 500,00``;
* ``UNIT_SEP`` (U+00A0, no-break space) ties a number to its unit so that a line
  never breaks between them: ``12 500,00 €``, ``20 %``, ``12 h 00``.

Numbers in words follow the traditional spelling (hyphens only between tens and
units below one hundred, not around ``cent``, ``mille``, ``million``), as in
"douze mille cinq cents euros et zéro centime".

Amounts are ``Decimal`` in euros; they are rounded half-up to the cent before being
written, so the figures and the words always say the same amount.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
THOUSANDS_SEP = "\u202f"
UNIT_SEP = "\u00a0"
CENT = Decimal("0.01")
MAX_AMOUNT_IN_WORDS = Decimal("999999999999.99")

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

_UNITS = (
    "zéro",
    "un",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
)
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def to_paris(value: datetime) -> datetime:
    """Return an aware datetime in Europe/Paris; naive datetimes are refused."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime refused (no time zone): {value!r}")
    return value.astimezone(PARIS)


def format_date_fr(value: date | datetime) -> str:
    """``22 novembre 2026``, ``1er mars 2027``; a datetime is read in Europe/Paris."""
    day = to_paris(value).date() if isinstance(value, datetime) else value
    day_label = "1er" if day.day == 1 else str(day.day)
    return f"{day_label} {MONTHS[day.month - 1]} {day.year}"


def format_datetime_fr(value: datetime) -> str:
    """``22 novembre 2026 à 12 h 00`` (Europe/Paris wall-clock time)."""
    local = to_paris(value)
    return f"{format_date_fr(local)} à {local.hour}{UNIT_SEP}h{UNIT_SEP}{local.minute:02d}"


def _group_thousands(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return THOUSANDS_SEP.join(groups)


def _to_cents(amount: Decimal) -> Decimal:
    if not isinstance(amount, Decimal):
        raise TypeError(f"amounts are Decimal, got {type(amount).__name__}")
    if not amount.is_finite():
        raise ValueError(f"amount is not a finite number: {amount}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_number(value: Decimal, places: int | None = None) -> str:
    """A French decimal number: ``7,5``; ``12 500,00`` with ``places=2``.

    Without ``places`` trailing zeros are dropped (``20.0`` gives ``20``).
    """
    if not isinstance(value, Decimal):
        raise TypeError(f"numbers are Decimal, got {type(value).__name__}")
    if places is None:
        text = format(value.normalize(), "f")
    else:
        text = format(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")
    sign = ""
    if text.startswith("-"):
        sign, text = "-", text[1:]
    whole, _, fraction = text.partition(".")
    text = _group_thousands(whole) + ("," + fraction if fraction else "")
    return sign + text


def format_eur(amount: Decimal) -> str:
    """``12 500,00 €`` (thousands: U+202F, before the sign: U+00A0)."""
    return f"{format_number(_to_cents(amount), 2)}{UNIT_SEP}€"


def format_percent(value: Decimal) -> str:
    """``20 %``, ``5,5 %``: a rate given in percent (20 means 20 %)."""
    return f"{format_number(value)}{UNIT_SEP}%"


def _below_hundred(number: int, *, final: bool) -> str:
    if number <= 16:
        return _UNITS[number]
    if number < 20:
        return "dix-" + _UNITS[number - 10]
    tens, unit = divmod(number, 10)
    if tens in (7, 9):  # soixante-dix-sept, quatre-vingt-onze: counted from ten
        if number == 71:
            return "soixante et onze"
        prefix = "soixante-" if tens == 7 else "quatre-vingt-"
        return prefix + _below_hundred(10 + unit, final=final)
    if tens == 8:
        if unit == 0:
            return "quatre-vingts" if final else "quatre-vingt"
        return "quatre-vingt-" + _UNITS[unit]
    if unit == 0:
        return _TENS[tens]
    if unit == 1:
        return _TENS[tens] + " et un"
    return _TENS[tens] + "-" + _UNITS[unit]


def _below_thousand(number: int, *, final: bool) -> str:
    """Words for 1..999; ``final`` is false before "mille", where "cents" and
    "quatre-vingts" lose their s (mille is an adjective, million a noun)."""
    hundreds, rest = divmod(number, 100)
    words = []
    if hundreds == 1:
        words.append("cent")
    elif hundreds > 1:
        words.append(_UNITS[hundreds] + (" cents" if rest == 0 and final else " cent"))
    if rest:
        words.append(_below_hundred(rest, final=final))
    return " ".join(words)


def integer_in_words_fr(number: int) -> str:
    """``21`` gives ``vingt et un``; valid for 0 to 999 999 999 999."""
    if not 0 <= number <= 999_999_999_999:
        raise ValueError(f"number out of range 0..999 999 999 999: {number}")
    if number == 0:
        return _UNITS[0]
    billions, rest = divmod(number, 1_000_000_000)
    millions, rest = divmod(rest, 1_000_000)
    thousands, units = divmod(rest, 1000)
    words = []
    for count, noun in ((billions, "milliard"), (millions, "million")):
        if count:
            words.append(f"{_below_thousand(count, final=True)} {noun}{'s' if count > 1 else ''}")
    if thousands == 1:
        words.append("mille")
    elif thousands:
        words.append(_below_thousand(thousands, final=False) + " mille")
    if units:
        words.append(_below_thousand(units, final=True))
    return " ".join(words)


def amount_in_words_fr(amount: Decimal) -> str:
    """``douze mille cinq cents euros et zéro centime``; ``un million d'euros et …``."""
    cents_total = _to_cents(amount)
    if cents_total < 0 or cents_total > MAX_AMOUNT_IN_WORDS:
        raise ValueError(f"amount out of range 0..{MAX_AMOUNT_IN_WORDS}: {amount}")
    euros = int(cents_total)
    cents = int((cents_total - euros) * 100)
    euro_words = integer_in_words_fr(euros)
    if euro_words.endswith(("million", "millions", "milliard", "milliards")):
        euro_part = f"{euro_words} d'euros"
    else:
        euro_part = f"{euro_words} euro{'s' if euros > 1 else ''}"
    cent_part = f"{integer_in_words_fr(cents)} centime{'s' if cents > 1 else ''}"
    return f"{euro_part} et {cent_part}"
