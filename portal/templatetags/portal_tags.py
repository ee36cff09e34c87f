"""Template helpers of the portal: DSFR widgets tied to their hint and errors, the
deadline countdown, the labels of the process steps."""

from decimal import ROUND_HALF_UP, Decimal

from django import forms, template
from django.conf import settings
from django.templatetags.static import static
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import timeuntil
from django.utils.timezone import template_localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kernel.formats import format_number
from portal.chart import money, page_locale
from portal.chart import step_label as _step_label
from procurement import queries
from procurement.models import ChallengeStatus

register = template.Library()

NO_CLASS_WIDGETS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


def described_by(field) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-messages")
    return " ".join(ids)


@register.simple_tag
def dsfr_widget(field):
    """The field's control with its DSFR class, ``aria-describedby`` naming its hint and
    its error messages, and ``aria-invalid`` when it was refused."""
    widget = field.field.widget
    attrs = {}
    if isinstance(widget, (forms.Select, forms.SelectMultiple)) and not isinstance(
        widget, forms.RadioSelect
    ):
        attrs["class"] = "fr-select"
    elif not isinstance(widget, NO_CLASS_WIDGETS):
        attrs["class"] = "fr-input"
    if ids := described_by(field):
        attrs["aria-describedby"] = ids
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def describedby(field) -> str:
    return described_by(field)


@register.simple_tag
def countdown(deadline, label="") -> str:
    """A deadline with the time left, kept up to date in the page by ``portal.js``:
    « Label : <date> (dans 5 jours) », « (échéance passée) » once it has passed.

    Written here rather than by an included template, which cost twice as much, once
    per card of the lists of calls and of the inbox (issue 20); the words are the
    template's, in the page's language, and its bytes (a line break at the end)."""
    if not deadline:
        return format_html(
            '<span class="portal-countdown">{}</span>\n', gettext("Aucune échéance à venir")
        )
    local = template_localtime(deadline)
    iso = conditional_escape(date_format(local, "c"))
    head = gettext("%(label)s :") % {"label": conditional_escape(label)} + " " if label else ""
    if deadline <= timezone.now():
        left = gettext("(échéance passée)")
    else:
        left = "(" + gettext("dans %(left)s") % {"left": conditional_escape(timeuntil(deadline))}
        left += ")"
    return mark_safe(  # noqa: S308 (the label, the date and the time left are escaped)
        f'<span class="portal-countdown">{head}<time datetime="{iso}">'
        f"{conditional_escape(date_format(local, 'DATETIME_FORMAT'))}</time> "
        f'<span class="portal-countdown__left" data-countdown="{iso}">{left}</span></span>\n'
    )


# A call's stage in words: the choices read once, so a label costs one translation
# (``get_status_display`` hashes every choice's lazy label, translating each, per call).
STAGE_LABELS = dict(ChallengeStatus.choices)


@register.filter
def stage_label(status: str) -> str:
    """A call's stage (``Challenge.status``) in words, as ``get_status_display``."""
    return str(STAGE_LABELS.get(status, status))


# The badge's colour per stage (DSFR): awarded, ended without award, open to partners.
STAGE_BADGES = {
    ChallengeStatus.AWARDED: "fr-badge--success",
    ChallengeStatus.CANCELLED: "fr-badge--error",
    ChallengeStatus.UNSUCCESSFUL: "fr-badge--error",
    ChallengeStatus.POSITIONING: "fr-badge--new",
    ChallengeStatus.PROPOSALS: "fr-badge--new",
    ChallengeStatus.COFUNDING: "fr-badge--new",
}


@register.simple_tag
def stage_badge(status: str) -> str:
    """A call's stage as a DSFR badge: a tag rather than an include, since the list of
    calls writes one per card (an include costs as much as the rest of the card)."""
    return format_html(
        '<p class="fr-badge fr-badge--sm {} fr-badge--no-icon">{}</p>',
        STAGE_BADGES.get(status, "fr-badge--info"),
        stage_label(status),
    )


@register.filter
def step_label(name: str) -> str:
    return _step_label(name)


@register.filter
def fields_with_errors(form) -> list:
    return [field for field in form if field.errors]


@register.filter
def anchor(field) -> str:
    """Where the error summary's link leads: the control, or a group's fieldset."""
    if field.widget_type in ("radioselect", "checkboxselectmultiple"):
        return f"{field.auto_id}-fieldset"
    return field.id_for_label


@register.simple_tag
def breadcrumb_links(*args) -> list[tuple[str, str]]:
    """``url1 label1 url2 label2 …`` → the breadcrumb's links."""
    return list(zip(args[::2], args[1::2], strict=True))


TASK_STATES = {
    "NEW": _("à faire"),
    "ASSIGNED": _("prise"),
    "STARTED": _("commencée"),
    "SCHEDULED": _("programmée"),
    "DONE": _("faite"),
    "CANCELED": _("annulée"),
    "ERROR": _("en erreur"),
}


@register.filter
def task_state(status: str) -> str:
    """A process task's status, in words."""
    return str(TASK_STATES.get(status, status))


@register.filter
def euros(amount) -> str:
    """An amount in euros as the page's language writes it (``1 234,50 €``)."""
    return money(amount if amount is not None else 0)


@register.simple_tag
def fair_pay(proposal):
    """The proposal's fair-pay figures and warnings (``queries.fair_pay_of``)."""
    return queries.fair_pay_of(proposal)


@register.filter
def percent(value) -> str:
    """A percentage to the hundredth without its useless zeros, as the language writes
    it (``2,5``); the template writes the sign."""
    rounded = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return format_number(rounded, locale=page_locale())


@register.simple_tag
def operator_brand() -> dict:
    """The brand the portal wears (settings ``OPERATOR_*`` and ``STATE_BRAND``): read by
    every page, the error pages included (rendered without a request, so not a context
    processor)."""
    logo = settings.OPERATOR_LOGO
    return {
        "state": settings.STATE_BRAND,
        "state_text": settings.STATE_BRAND_TEXT.split("|"),
        "name": settings.OPERATOR_NAME,
        "url": settings.OPERATOR_URL,
        "logo": logo if logo.startswith(("https://", "http://", "/")) else static(logo),
    }


ACCESSIBILITY_STATUSES = {
    "non": _("non conforme"),
    "partielle": _("partiellement conforme"),
    "totale": _("totalement conforme"),
}


@register.simple_tag
def accessibility_status() -> str:
    """The conformity the accessibility statement declares (RGAA: « non », « partiellement »
    or « totalement conforme »), from ``ACCESSIBILITY_STATUS``."""
    return str(ACCESSIBILITY_STATUSES.get(settings.ACCESSIBILITY_STATUS, _("non conforme")))
