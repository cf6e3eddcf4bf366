"""Gunicorn settings for Avis in production (``gunicorn -c deploy/gunicorn.conf.py``).

Every value can be changed without editing this file, through the environment
(``AVIS_BIND``, ``AVIS_WORKERS``, ``AVIS_THREADS``, ``AVIS_TIMEOUT``...), which is how the
systemd unit, the container and ``make serve`` set them. Command-line options win over both.
"""

import os

from gunicorn.glogging import Logger


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


# Loopback only by default: nginx in front terminates TLS and serves static files.
bind = os.environ.get("AVIS_BIND", "127.0.0.1:8000").split(",")

# Workers from the CPU count: the app is CPU-bound (templates, JSON, SQLAlchemy) and its
# waits on the database are short, so two per core plus one keeps the cores busy.
# The CPUs this process may run on (a container's or a cgroup's set), not the host's.
cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
workers = _int("AVIS_WORKERS", (cpus or 1) * 2 + 1)
# Threads > 1 switches to the gthread worker (keep-alive, slow clients on a direct bind).
threads = _int("AVIS_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

# A request taking longer than this is stuck: the worker is killed and replaced. Reports
# and exports run in the CLI, not in requests, so 30 s is generous.
timeout = _int("AVIS_TIMEOUT", 30)
# On HUP (systemctl reload) and on stop, workers finish their requests within this time.
graceful_timeout = _int("AVIS_GRACEFUL_TIMEOUT", 30)
# With threads, 0 closes each connection after its answer, so that the kernel spreads the
# next ones over the workers: a kept-alive connection stays with the worker that took it,
# and a few busy ones (nginx's upstream pool, a load test) can all land on one worker.
keepalive = _int("AVIS_KEEPALIVE", 0)
# Workers are recycled now and then so that no slow leak lives for months.
max_requests = _int("AVIS_MAX_REQUESTS", 10000)
max_requests_jitter = max_requests // 10 if max_requests else 0

# Not preloaded: "systemctl reload" (HUP) starts new workers that load the new code, while
# the old ones finish what they are doing — a graceful reload after an upgrade.
preload_app = False
# Heartbeat files in memory, not on a disk that may stall (container and VM disks).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# nginx sets X-Forwarded-*. gunicorn takes the scheme from these addresses only; the app
# reads the same variable and drops every X-Forwarded-* header sent from any other address
# before ProxyFix (AVIS_TRUSTED_PROXIES) reads the client's address (kiosk/proxies.py).
forwarded_allow_ips = os.environ.get("AVIS_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Access log without personal data or secrets: no client address, no query string (search
# terms, email addresses), no referrer, no user agent — method, path, status, size and
# duration only; a path that carries a credential is cut after its prefix (AccessLogger).
# AVIS_ACCESS_LOG: a file, "-" (standard output, the journal under systemd) or "off".
accesslog = os.environ.get("AVIS_ACCESS_LOG", "-")
accesslog = None if accesslog.lower() in ("", "off", "none") else accesslog
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms pid=%(p)s'

# Paths whose next segment is a credential: a tablet's one-time enrolment code and a
# poster's signed survey token. The same list as the avis_log_path map of the nginx site.
SECRET_PATH_PREFIXES = ("/kiosk/enrol/", "/q/")


class AccessLogger(Logger):
    """gunicorn's logger, with the credential in a path replaced by "-"."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = atoms.get("U") or ""
        for prefix in SECRET_PATH_PREFIXES:
            if path.startswith(prefix):
                atoms["U"] = prefix + "-"
        return atoms


# Defined here, not in the app's packages: the master imports the logger, and a module the
# master holds would reach the new workers of a reload as it was before the upgrade.
logger_class = AccessLogger
errorlog = os.environ.get("AVIS_ERROR_LOG", "-")
loglevel = os.environ.get("AVIS_LOG_LEVEL", "info")
proc_name = "avis"
# gunicorn >= 24 opens a control socket in the home folder; systemd and the scripts use
# signals (HUP to reload, TERM to stop), and two instances on one host would share it.
control_socket_disable = True
# Requests larger than MAX_CONTENT_LENGTH are refused by the app; these guard the parser.
limit_request_line = 8190
limit_request_fields = 100
