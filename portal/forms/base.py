"""What every portal form shares: how its input is read (French dates, decimals with a
comma) and how a service's refusal finds its field."""

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

DATETIME_INPUT = "%Y-%m-%dT%H:%M"


class PortalForm(forms.Form):
    """A Django form rendered with the DSFR markup of ``portal/includes/field.html``.

    ``field_for_error(path)`` names the field a service error's path points at
    (``("proposals",)`` → ``"proposals"``); forms whose data is nested override it.
    """

    def field_for_error(self, path: tuple[str, ...]) -> str | None:
        return path[0] if path and path[0] in self.fields else None

    def note_refusal(self, exc) -> None:
        """Read what the refusal says beyond its fields (before they are mapped)."""


class DeadlineField(forms.DateTimeField):
    """A date and time typed in the browser's ``datetime-local`` control, read in the
    service's time zone (Europe/Paris)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT)

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [DATETIME_INPUT, "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"])
        kwargs.setdefault("help_text", _("Date et heure de Paris."))
        super().__init__(**kwargs)


class NumberField(forms.DecimalField):
    """A decimal typed the French way or the English way: « 12 000,5 » or « 12000.5 »."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
            value = value.replace(",", ".")
        return super().to_python(value)


class EurosField(NumberField):
    """An amount in euros, to the cent."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)


def _attrs(attrs: dict) -> str:
    """Django's ``django/forms/widgets/attrs.html``, in Python."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class Select(forms.Select):
    """A select written by Python rather than by Django's templates, to the same bytes
    (``select.html``, one ``select_option.html`` per choice): the templates cost about
    0.05 ms a choice, most of a list page's filters (issue 20). Choices in groups are
    left to the templates."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group_name for group_name, _choices, _index in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = "".join(
            f'\n  <option value="{conditional_escape(str(option["value"]))}"'
            f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
            for _group, choices, _index in widget["optgroups"]
            for option in choices
        )
        return mark_safe(  # noqa: S308 (every value above is escaped)
            f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>'
            f"{options}\n</select>"
        )


def lines(text: str) -> list[str]:
    """One item per non-empty line of a textarea."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def required_when(field: forms.Field) -> forms.Field:
    """A field the form leaves empty but a rule requires in some cases (its help text
    says which): the page must not call it « facultatif »."""
    field.required_when = True  # type: ignore[attr-defined]
    return field
