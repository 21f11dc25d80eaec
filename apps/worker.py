"""The RQ worker process (``metacrm worker``): runs queued jobs when METACRM_REDIS_URL is set.

Without Redis there is nothing to run: jobs execute in-process right after
the transaction that submitted them commits.
"""

from __future__ import annotations

from apps.config import Settings
from apps.config import open_engine
from runtime.automation.jobs import QUEUE_NAME
from runtime.automation.jobs import WorkerEngine
from runtime.automation.jobs import rq_queue
from runtime.errors import BadInput


def make_worker(settings: Settings, queue_name: str = QUEUE_NAME):
    """An RQ worker on the metacrm queue, running jobs against this process's database settings."""
    if not settings.redis_url:
        raise BadInput("METACRM_REDIS_URL is not set: jobs run inline, no worker is needed")
    from rq import Worker

    WorkerEngine.bind(open_engine(settings))
    queue = rq_queue(settings.redis_url, queue_name)  # the same (JSON) serializer as the submitters
    return Worker([queue], connection=queue.connection, serializer=queue.serializer)


def run_worker(settings: Settings, *, burst: bool = False) -> bool:
    """Work until stopped (or, with ``burst``, until the queue is empty).

    The scheduler runs alongside, because retries with a delay are scheduled jobs.
    """
    return make_worker(settings).work(burst=burst, with_scheduler=True)
