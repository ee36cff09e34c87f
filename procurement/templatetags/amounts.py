"""Amounts and numbers in the e-mails, as their recipient's language writes them
(``kernel.language``): a notification keeps its figures as text (``"2000.00"``), the
mail shows ``2 000,00 €`` in French, ``€2,000.00`` in English."""

from django import template

from kernel.language import eur, number

register = template.Library()


@register.filter
def euros(amount) -> str:
    return eur(amount)


@register.filter(name="number")
def number_filter(value) -> str:
    return number(value)
