"""gunicorn configuration that sets the query cache of each worker.

Used by ``_common.GunicornServer`` when ``dashboard.config.Settings`` has no
query cache setting: after a worker has built the app, the hook installs the
in-process query cache when ``BENCH_QUERY_CACHE`` is ``on`` and removes any
cache otherwise.
"""

import os


def post_worker_init(worker):
    """Install or remove the query cache of a worker that has loaded the app."""
    from data_access import cache

    if os.environ.get("BENCH_QUERY_CACHE") == "on":
        cache.install(cache.make_cache())
    else:
        cache.install(None)
