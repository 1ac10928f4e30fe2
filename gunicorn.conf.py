"""gunicorn settings for Regio (`gunicorn -c gunicorn.conf.py 'regio:create_app()'`)."""

import gc
import os
import shutil
import sys
import tempfile
from pathlib import Path

worker_class = "gthread"
threads = 2
control_socket_disable = True  # gunicorn ≥ 23 would otherwise create a socket in $HOME

# /metrics adds up the request counts of every worker through prometheus_client's multiprocess
# mode: each worker writes its own file here. It must be set before a worker imports Regio.
_own_metrics_dir = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
if _own_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="regio-metrics-")


def on_starting(server):
    # Counts left by an earlier run would be added to this one's.
    for stale in Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"):
        stale.unlink()
    from config import ConfigError, load_config
    from regio.startup import server_findings

    try:
        settings = load_config()
    except ConfigError:
        return  # each worker refuses with the reason
    for finding in server_findings(settings, workers=server.cfg.workers):
        server.log.warning("%s", finding.text)


def post_worker_init(worker):
    # A thread that waits on the database lets go of the GIL and then queues for it again,
    # behind threads that keep it for the full switch interval (5 ms). A booking holds the
    # meeting lock across several such waits, so a shorter interval shortens every queue.
    sys.setswitchinterval(0.0005)
    _freeze_heap()


# Python's full garbage collection walks every object of the process: with the app, its
# templates and SQLAlchemy's caches loaded some 160,000, 40–50 ms during which the worker
# answers nobody — the slowest requests of a busy minute. Objects that live as long as the
# worker are moved out of its reach once loaded, and once more when the first requests have
# compiled the templates and statements; a full collection then walks only what requests made.
WARM_REQUESTS = 500


def _freeze_heap():
    gc.collect()
    gc.freeze()


def post_request(worker, req, environ, resp):
    if worker.nr == WARM_REQUESTS:
        _freeze_heap()


def on_exit(server):
    if _own_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
