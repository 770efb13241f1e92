"""gunicorn settings of a web node: ``gunicorn -c deploy/gunicorn.conf.py cms.wsgi``.

Every value can be overridden from the environment (GUNICORN_*), so one file serves every host.
Checked in CI with ``gunicorn --check-config`` (tests/operations/test_deploy.py).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# A request that takes longer is a bug or an attack; long work goes to the task workers.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Workers are recycled now and then so that a slow leak never takes a node down.
max_requests = 2000
max_requests_jitter = 200
# Only the local nginx may set X-Forwarded-Proto (settings: BEHIND_PROXY, TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
limit_request_line = 8190
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "gxxf-web"
