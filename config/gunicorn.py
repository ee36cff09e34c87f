"""gunicorn's configuration for the web processes (``gunicorn -c config/gunicorn.py
config.wsgi``), every value overridable from the environment.

The service sits behind the operator's reverse proxy (nginx, HAProxy, a cloud load
balancer), which terminates TLS and buffers slow clients; gunicorn's synchronous
workers then suit a Django service whose heavy work (the documents) runs in Celery.

Each setting, its environment variable and its default:

- ``bind`` — ``GUNICORN_BIND``, ``127.0.0.1:8000``: the address(es) to listen on,
  comma-separated (``0.0.0.0:8000`` in a container, ``unix:/run/communs.sock``);
- ``workers`` — ``GUNICORN_WORKERS``, 2 × the CPUs this process may use + 1: worker
  processes, each with its own database connection;
- ``threads`` — ``GUNICORN_THREADS``, 1: threads per worker (above 1, gunicorn's
  ``gthread`` workers);
- ``timeout`` — ``GUNICORN_TIMEOUT``, 30 s: a worker silent that long on one request is
  killed and replaced;
- ``graceful_timeout`` — ``GUNICORN_GRACEFUL_TIMEOUT``, 30 s: what a stopping worker has
  to finish its requests (a deploy, a restart);
- ``keepalive`` — ``GUNICORN_KEEPALIVE``, 5 s: with threads only (the synchronous workers
  close each connection), how long an idle proxy connection is kept; keep it above the
  proxy's idle timeout for its upstream connections, or the proxy may reuse one that
  gunicorn is closing;
- ``max_requests`` — ``GUNICORN_MAX_REQUESTS``, 2000: requests after which a worker is
  replaced, with a jitter of a tenth (bounds slow memory growth; 0: never);
- ``forwarded_allow_ips`` — ``FORWARDED_ALLOW_IPS`` (gunicorn's own variable),
  ``127.0.0.1,::1``: the proxies whose ``X-Forwarded-Proto: https`` gunicorn believes;
- ``loglevel`` — ``GUNICORN_LOG_LEVEL``, ``info``: gunicorn's own messages, on stderr.

Access log: one line per request on stdout, in the combined format followed by the
client address the proxy forwarded, the duration in milliseconds and the worker's pid,
so that a slow request is found with its client and the process that served it.
"""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _cpus() -> int:
    """The CPUs this process may run on (its affinity, which containers and ``taskset``
    narrow), rather than the machine's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


wsgi_app = "config.wsgi:application"
proc_name = "appels-a-communs"

bind = [
    address.strip()
    for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
    if address.strip()
]
workers = _int("GUNICORN_WORKERS", 2 * _cpus() + 1)
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
# Spread the replacements so that the workers are not all replaced at once.
max_requests_jitter = max_requests // 10

# Heartbeat files in memory: a container's overlay disk can stall them and get healthy
# workers killed.
SHM = "/dev/shm"  # noqa: S108 — a tmpfs for the heartbeat files, nothing secret
if os.path.isdir(SHM):
    worker_tmp_dir = SHM

# No control socket: gunicorn's default path is one per user, which two servers on the
# same machine would fight over.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" '
    'forwarded_for="%({x-forwarded-for}i)s" duration_ms=%(M)s worker=%(p)s'
)
