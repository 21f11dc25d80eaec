"""Background jobs with progress: one ``metacrm_job`` row per job, run inline or by RQ workers.

Without Redis (the embedded default) a job runs in-process right after the
transaction that submitted it commits; with Redis it goes on an RQ queue and
a ``metacrm worker`` runs the very same function. Either way the job's own
work and its final status are written in **one transaction**, so a worker
that dies mid-job leaves nothing behind and the retry starts from scratch: the
job's effect happens once.
"""

from __future__ import annotations

import importlib
import time
import traceback
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from runtime.clock import utcnow
from runtime.errors import BadInput
from runtime.errors import MetacrmError
from runtime.errors import NotFound
from runtime.storage.system import jobs

QUEUE_NAME = "metacrm"
STATUSES = ("queued", "running", "done", "failed")
#: Attempts after the first when a job fails unexpectedly (never for bad input).
RETRIES = 2
RETRY_INTERVALS = [10, 60]
_PENDING = "metacrm_pending_jobs"
#: Modules whose ``@job_kind`` functions every process knows.
BUILTIN_KINDS = ("runtime.records.importing", "runtime.records.exporting")

Progress = Callable[[int, int | None], None]
JobFunction = Callable[[Connection, dict, "JobContext"], dict | None]
_KINDS: dict[str, JobFunction] = {}


def job_kind(name: str):
    """Decorator registering ``func(conn, params, ctx) -> result`` as the job kind ``name``."""

    def register(func: JobFunction) -> JobFunction:
        _KINDS[name] = func
        return func

    return register


def job_function(kind: str) -> JobFunction:
    _load_builtin_kinds()
    try:
        return _KINDS[kind]
    except KeyError:
        raise BadInput(f"unknown job kind {kind!r}") from None


def _load_builtin_kinds() -> None:
    """Importing the modules registers their kinds; done lazily to keep imports one-way and cheap."""
    for module in BUILTIN_KINDS:
        importlib.import_module(module)



@dataclass
class JobContext:
    """What a running job sees: its id and a way to report progress.

    Progress goes to the in-process listener at once and to the job row on a
    separate short transaction (throttled). On SQLite the job's own write
    transaction holds the database lock, so there the row only gets the final
    figures; PostgreSQL shows live progress to pollers.
    """

    engine: Engine
    job_id: str
    user_id: int | None = None
    listener: Progress | None = None
    interval: float = 0.5
    _last: float = 0.0

    def progress(self, processed: int, total: int | None = None) -> None:
        if self.listener is not None:
            self.listener(processed, total)
        now = time.monotonic()
        if self.engine.dialect.name == "sqlite" or now - self._last < self.interval:
            return
        self._last = now
        values = {"processed": processed} | ({"total": total} if total is not None else {})
        with self.engine.begin() as conn:
            conn.execute(update(jobs).where(jobs.c.id == self.job_id).values(**values))


class JobQueue:
    """Submit jobs and read their state; ``redis_url`` picks RQ, otherwise jobs run inline."""

    def __init__(self, engine: Engine, redis_url: str | None = None, queue_name: str = QUEUE_NAME,
                 clock: Callable[[], datetime] = utcnow):
        self.engine = engine
        self.redis_url = redis_url
        self.queue_name = queue_name
        self.clock = clock

    @property
    def inline(self) -> bool:
        return not self.redis_url

    @contextmanager
    def unit_of_work(self) -> Iterator[Connection]:
        """``engine.begin()`` whose submitted jobs start only once it has committed."""
        pending: list = []
        with self.engine.begin() as conn:
            conn.info[_PENDING] = pending
            try:
                yield conn
            finally:
                conn.info.pop(_PENDING, None)
        for job_id, listener in pending:
            self._dispatch(job_id, listener)

    def submit(self, kind: str, params: dict, user_id: int | None, *, conn: Connection | None = None,
               progress: Progress | None = None) -> str:
        """Record a queued job and start it after commit; returns its id.

        With ``conn`` (opened by ``unit_of_work``) the job row is part of the
        caller's transaction and starts when that commits. ``progress`` is
        called in-process as the job advances (inline runs only).
        """
        job_function(kind)
        if conn is None:
            with self.unit_of_work() as own:
                return self.submit(kind, params, user_id, conn=own, progress=progress)
        if _PENDING not in conn.info:
            raise ValueError("submit(conn=...) needs a connection from JobQueue.unit_of_work()")
        job_id = str(uuid.uuid4())
        conn.execute(insert(jobs).values(id=job_id, kind=kind, status="queued", params=dict(params),
                                         user_id=user_id, processed=0, created_at=self.clock()))
        conn.info[_PENDING].append((job_id, progress))
        return job_id

    def get(self, job_id: str) -> dict:
        """The job resource an API returns for polling."""
        with self.engine.connect() as conn:
            return get_job(conn, job_id)

    def _dispatch(self, job_id: str, listener: Progress | None) -> None:
        if self.inline:
            run_job(self.engine, job_id, listener, reraise=False)
            return
        from rq import Retry

        queue = rq_queue(self.redis_url, self.queue_name)
        queue.enqueue(run_queued, job_id, job_id=job_id, description=f"metacrm job {job_id}",
                      retry=Retry(max=RETRIES, interval=RETRY_INTERVALS), result_ttl=3600)


def rq_queue(redis_url: str, name: str = QUEUE_NAME):
    """The queue, with job payloads as JSON: RQ's default (pickle) would let anyone who can
    write to Redis run code in the workers. A job carries only its id; the rest is in the database."""
    from redis import Redis
    from rq import Queue
    from rq.serializers import JSONSerializer

    return Queue(name, connection=Redis.from_url(redis_url), serializer=JSONSerializer)


def get_job(conn: Connection, job_id: str) -> dict:
    row = conn.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()
    if row is None:
        raise NotFound(f"no job {job_id}")
    out = dict(row)
    for key in ("created_at", "started_at", "finished_at"):
        out[key] = out[key].isoformat() if out[key] else None
    return out


class WorkerEngine:
    """The database a worker process runs jobs against, bound once at worker start.

    Jobs carry only their id: the database URL (and its password) never goes
    into Redis, and every worker uses its own configuration.
    """

    engine: Engine | None = None

    @classmethod
    def bind(cls, engine: Engine) -> None:
        cls.engine = engine


def run_queued(job_id: str) -> dict | None:
    """The RQ entry point: a plain importable function whose only argument is the job id."""
    if WorkerEngine.engine is None:
        raise RuntimeError("no database bound: start workers with `metacrm worker`")
    return run_job(WorkerEngine.engine, job_id)


def run_job(engine: Engine, job_id: str, listener: Progress | None = None, *, reraise: bool = True):
    """Run one job: mark it running, do the work and mark it done in one transaction.

    Already ``done``: nothing to do (a retry after a lost acknowledgement).
    Bad input fails the job for good; anything else fails it and, when
    ``reraise``, propagates so RQ retries it.
    """
    with engine.connect() as conn:
        job = get_job(conn, job_id)
    if job["status"] == "done":
        return job["result"]
    func = job_function(job["kind"])
    _set(engine, job_id, status="running", started_at=utcnow(), error=None)
    ctx = JobContext(engine, job_id, job["user_id"], listener)
    try:
        with engine.begin() as conn:
            result = func(conn, job["params"], ctx)
            conn.execute(update(jobs).where(jobs.c.id == job_id).values(
                status="done", result=result, finished_at=utcnow(), error=None,
                **_final_counts(result)))
        _discard_upload(job["params"])
        return result
    except MetacrmError as err:
        _set(engine, job_id, status="failed", error=err.message, finished_at=utcnow(),
             result={"code": err.code, "details": err.details})
        if reraise and not isinstance(err, BadInput):
            raise
        _discard_upload(job["params"])
        return None
    except Exception:
        _set(engine, job_id, status="failed", error=traceback.format_exc(limit=5), finished_at=utcnow())
        if reraise:
            raise
        _discard_upload(job["params"])
        return None


def _discard_upload(params: dict) -> None:
    """A file uploaded for this job (``params["upload"]``, e.g. an API import's sheet) is removed
    once the job has its final outcome: it may hold sensitive values in clear. A job that will be
    retried keeps it."""
    if isinstance(params.get("upload"), str):
        Path(params["upload"]).unlink(missing_ok=True)


def _final_counts(result: Any) -> dict:
    if isinstance(result, dict) and "processed" in result:
        return {"processed": result["processed"], "total": result.get("total", result["processed"])}
    return {}


def _set(engine: Engine, job_id: str, **values) -> None:
    with engine.begin() as conn:
        conn.execute(update(jobs).where(jobs.c.id == job_id).values(**values))
