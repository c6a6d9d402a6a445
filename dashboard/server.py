"""Run the dashboard under gunicorn, the production WSGI server."""

from __future__ import annotations

import logging

from gunicorn.app.base import BaseApplication

logger = logging.getLogger(__name__)


class DashboardServer(BaseApplication):
    """A gunicorn application whose workers each build the app from the environment.

    Each worker calls ``dashboard.wsgi.create_server`` after the fork, so every
    worker has its own database engine, and a HUP signal reloads the code.
    """

    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from dashboard.wsgi import create_server

        return create_server()


def run_gunicorn(host: str, port: int, workers: int) -> None:
    """Serve on ``host:port`` with ``workers`` processes until gunicorn stops."""
    logger.info("starting gunicorn on %s:%d with %d workers", host, port, workers)
    DashboardServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "accesslog": "-",
            "proc_name": "crimedash",
            # The control socket sits at one path per user by default, which two
            # servers on one machine would share; the dashboard does not use it.
            "control_socket_disable": True,
        }
    ).run()
