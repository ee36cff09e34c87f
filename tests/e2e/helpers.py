"""What the browser tests do as a person would: follow a link or send a form (and wait
for the next page, no polling), tick a box by its label, type a date."""

from zoneinfo import ZoneInfo

from playwright.sync_api import expect

PARIS = ZoneInfo("Europe/Paris")


def typed(dt) -> str:
    """A datetime as a person types it in a ``datetime-local`` field (Paris time)."""
    return dt.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def follow(locator) -> None:
    """Click a link or a submit button and wait until the next page has loaded."""
    with locator.page.expect_navigation():
        locator.click()


def choose(scope, label: str, exact: bool = True) -> None:
    """Tick a radio button or a checkbox by its label (the DSFR draws them on the label),
    in a page or a part of it."""
    control = scope.get_by_label(label, exact=exact)
    scope.locator(f"label[for='{control.get_attribute('id')}']").click()
    expect(control).to_be_checked()
