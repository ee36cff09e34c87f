"""When a request arrived: the receipt of an offer is its arrival, not the moment the
service got round to it.

An offer received before the deadline is accepted even when it is processed after it
(article R2151-5 of the code de la commande publique eliminates the offers *reçues*
hors délai), so the deadline is judged on a stamp taken before the request waits for
anything of ours: ``ReceiptStamp`` wraps the WSGI application (``config/wsgi.py``) and
stamps the environ the moment gunicorn hands it the request, before Django builds the
request, runs its middleware, waits for a database connection or a lock;
``ReceiptMiddleware`` stamps it, first of the middleware, where no WSGI wrapper ran
(the test client, ``runserver``).

What "arrived" means, honestly: the moment a gunicorn worker (or one of its threads)
starts on the request, its line and headers read. A connection still waiting in the
listen backlog for a free worker, or in a proxy's buffer, is not stamped yet: the
service cannot see it. A trusted proxy's own time (``X-Request-Start``) is not used.
"""

import time
from datetime import UTC, datetime

ENVIRON_KEY = "communs.received_at"


class ReceiptStamp:
    """WSGI middleware: stamp each request's environ on arrival (``time.time()``)."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        environ.setdefault(ENVIRON_KEY, time.time())
        return self.application(environ, start_response)


class ReceiptMiddleware:
    """Django middleware, first of the list: stamp a request no WSGI wrapper stamped."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.setdefault(ENVIRON_KEY, time.time())
        return self.get_response(request)


def received_at(request) -> datetime:
    """The moment ``request`` arrived (aware, UTC)."""
    stamp = request.META.get(ENVIRON_KEY)
    return datetime.fromtimestamp(stamp if stamp is not None else time.time(), tz=UTC)
