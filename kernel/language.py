"""Amounts and numbers as the active language writes them: the one place that turns
Django's active language into the Babel locale ``kernel.formats`` writes for.

``kernel.formats`` stays free of Django (the document renderers are pure and always
French); messages, e-mails and pages, which follow their reader's language, go through
here: ``12 500,00 €`` in French, ``€12,500.00`` in English."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils.translation import get_language, to_locale

from kernel.formats import format_eur, format_number


def active_locale() -> str:
    """The Babel locale of the active language (``fr``, ``en``)."""
    return to_locale(get_language() or settings.LANGUAGE_CODE)


def eur(amount: Decimal | int | str) -> str:
    """An amount in euros as the reader's language writes it, to the cent; an amount
    kept as text (a notification's data) is read as a decimal."""
    return format_eur(Decimal(str(amount)), locale=active_locale())


def number(value: Decimal | int | str, places: int | None = None) -> str:
    """A number as the reader's language writes it (``1,5``, ``1.5``)."""
    return format_number(Decimal(str(value)), places, locale=active_locale())
