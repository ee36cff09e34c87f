"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

- Chromium (``apt-get install chromium``) and axe-core (``npm ci --prefix tests/e2e``)
  are required under ``CI=true``; elsewhere their absence skips these tests.
- The live server answers one request at a time, and never while the test itself
  touches the database (``server_paused``): on SQLite the test and the server share one
  connection, so their transactions must not interleave.
- Screenshots of each main page go to ``tests/artifacts/`` on every run.
"""

import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.handlers.wsgi import get_path_info
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from tests.conftest import require_service
from tests.factories import PASSWORD
from tests.oidc import proconnect  # noqa: F401 (the ProConnect tests' provider)

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = HERE.parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
# The WCAG 2.1 A and AA rules (RGAA 4.1 follows WCAG 2.1 AA), violations only.
AXE_RUN = """async (scope) => await axe.run(scope ? {include: [[scope]]} : document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    resultTypes: ["violations"],
})"""

SERVER_LOCK = threading.RLock()
# A loaded machine (2 cores, other suites running) is slow to render a DSFR page.
expect.set_options(timeout=TIMEOUT_MS)


class OneRequestAtATime(StaticFilesHandler):
    """The live server's handler: each request to a view holds ``SERVER_LOCK``; static
    files, which touch no database, are served beside them."""

    def __call__(self, environ, start_response):
        if self._should_handle(get_path_info(environ)):
            return super().__call__(environ, start_response)
        with SERVER_LOCK:
            return super().__call__(environ, start_response)


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, serving one request at a time (see module doc)."""
    # 127.0.0.1 rather than localhost: Chromium would try ::1 first and wait.
    addr = request.config.getvalue("liveserver") or os.getenv(
        "DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1"
    )
    server = LiveServer(addr, start=False)
    server.thread.static_handler = OneRequestAtATime
    server.start()
    yield server
    server.stop()


@contextmanager
def _paused():
    with SERVER_LOCK:
        yield


@pytest.fixture
def server_paused():
    """``with server_paused():`` — the test writes to the database while no request runs."""
    return _paused


@pytest.fixture(scope="session", autouse=True)
def _sync_orm_beside_playwright():
    # Playwright's sync API runs an event loop in the test's thread; the ORM calls the
    # test makes beside it are still synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _chromium() -> str:
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not (Path(path).is_file() or shutil.which(path)):
        raise FileNotFoundError(f"{path} (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """pytest-playwright launches Debian's Chromium (no browser download here)."""
    path = None

    def check():
        nonlocal path
        path = _chromium()

    require_service("Chromium", check)
    return {"executable_path": path, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args():
    return {
        "locale": "fr-FR",
        "timezone_id": "Europe/Paris",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture(scope="session")
def axe_source() -> str:
    def check():
        if not AXE.is_file():
            raise FileNotFoundError(f"{AXE} (npm ci --prefix tests/e2e)")

    require_service("axe-core", check)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def browse(browser, browser_context_args, live_server):
    """``browse(user=None)`` → a page in a fresh browser context, signed in through the
    sign-in form when a user is given. Whatever the Content-Security-Policy refused on
    the way (a script, a style, a font) fails the test."""
    contexts = []
    refused = []

    def open_page(user=None):
        context = browser.new_context(base_url=live_server.url, **browser_context_args)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                refused.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        if user is not None:
            page.goto("/connexion/")
            page.get_by_label("Nom d’utilisateur").fill(user.username)
            page.get_by_label("Mot de passe").fill(PASSWORD)
            with page.expect_navigation(url="**/espace/"):
                page.get_by_role("button", name="Se connecter").last.click()
        return page

    yield open_page
    for context in contexts:
        context.close()
    with SERVER_LOCK:  # let a request still under way finish before the tables are flushed
        pass
    assert not refused, "\n".join(refused)


@pytest.fixture
def check_page(axe_source):
    """``check_page(page, name, scope=None)``: a screenshot in tests/artifacts/, then
    axe-core on the page (or on the ``scope`` selector only: the header and footer are
    the same on every page and checked with the public pages); no serious or critical
    violation may remain."""
    ARTIFACTS.mkdir(exist_ok=True)

    def check(page, name: str, scope: str | None = None) -> None:
        page.wait_for_load_state("load")
        # caret="initial": by default Playwright hides the caret by writing
        # ``caret-color: transparent !important;`` into each field's style attribute;
        # a page script that then copies a field (the call editor's rows, say) makes the
        # browser parse that attribute, and our CSP refuses it — a refusal of the test's
        # own making, which came and went with timing.
        page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True, caret="initial")
        # Evaluated through the browser's debugging protocol: the page's CSP refuses
        # inline scripts, a <script> tag of axe-core's source included.
        page.evaluate(axe_source)
        result = page.evaluate(AXE_RUN, scope)
        grave = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        details = "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} → "
            + ", ".join(str(node["target"]) for node in v["nodes"][:5])
            for v in grave
        )
        assert not grave, f"Accessibilité de « {name} » :\n{details}"

    return check
