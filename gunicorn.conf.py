"""gunicorn settings for Regio (`gunicorn -c gunicorn.conf.py 'regio:create_app()'`)."""

import sys

worker_class = "gthread"
threads = 2
control_socket_disable = True  # gunicorn ≥ 23 would otherwise create a socket in $HOME


def post_worker_init(worker):
    # A thread that waits on the database lets go of the GIL and then queues for it again,
    # behind threads that keep it for the full switch interval (5 ms). A booking holds the
    # meeting lock across several such waits, so a shorter interval shortens every queue.
    sys.setswitchinterval(0.0005)
