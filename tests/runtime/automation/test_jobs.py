"""Jobs: inline after commit or on RQ, progress and status, failures, and effects that happen once."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from runtime.automation.jobs import JobQueue
from runtime.automation.jobs import WorkerEngine
from runtime.automation.jobs import get_job
from runtime.automation.jobs import run_job
from runtime.errors import BadInput
from runtime.errors import NotFound
from runtime.storage.system import jobs
from tests.runtime.records.contacts_app import publish_crm

REDIS_URL = os.environ.get("METACRM_TEST_REDIS_URL")


@pytest.fixture
def crm(engine):
    return engine, publish_crm(engine)


@pytest.fixture
def sheet(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name,email\n" + "\n".join(f"P{i},p{i}@x.io" for i in range(1200)) + "\n")
    return str(path)


def count(engine, registry) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(registry.table("crm", "contact"))).scalar_one()


def import_params(path, **extra):
    return {"app": "crm", "entity": "contact", "path": path, **extra}


def test_inline_job_runs_after_commit_with_progress(crm, sheet):
    engine, registry = crm
    seen = []
    queue = JobQueue(engine)
    job_id = queue.submit("import", import_params(sheet), 1, progress=lambda done, total: seen.append((done, total)))
    job = queue.get(job_id)
    assert job["status"] == "done" and job["error"] is None
    assert (job["processed"], job["total"]) == (1200, 1200)
    assert job["result"]["created"] == 1200 and job["kind"] == "import" and job["user_id"] == 1
    assert job["started_at"] and job["finished_at"]
    assert seen == [(1000, 1200), (1200, 1200)]
    assert count(engine, registry) == 1200


def test_unit_of_work_starts_jobs_only_on_commit(crm, sheet):
    engine, registry = crm
    queue = JobQueue(engine)
    with pytest.raises(RuntimeError), queue.unit_of_work() as conn:
        job_id = queue.submit("import", import_params(sheet), 1, conn=conn)
        raise RuntimeError("the caller's transaction fails")
    with pytest.raises(NotFound):
        queue.get(job_id)
    assert count(engine, registry) == 0
    with queue.unit_of_work() as conn:
        job_id = queue.submit("import", import_params(sheet), 1, conn=conn)
        assert get_job(conn, job_id)["status"] == "queued"  # not started inside the transaction
    assert queue.get(job_id)["status"] == "done"


def test_failed_import_job_keeps_the_row_errors_and_writes_nothing(crm, tmp_path):
    engine, registry = crm
    path = tmp_path / "bad.csv"
    path.write_text("name,email\nAnn,a@x.io\nBob,nope\n")
    queue = JobQueue(engine)
    job = queue.get(queue.submit("import", import_params(str(path)), 1))
    assert job["status"] == "failed" and "nothing was imported" in job["error"]
    assert job["result"]["code"] == "validation_failed"
    assert job["result"]["details"]["errors"][0]["row"] == 3
    assert count(engine, registry) == 0


def test_a_rerun_never_doubles_the_effect(crm, sheet):
    engine, registry = crm
    queue = JobQueue(engine)
    job_id = queue.submit("import", import_params(sheet), 1)
    assert run_job(engine, job_id)["created"] == 1200  # already done: the stored result, nothing re-run
    assert count(engine, registry) == 1200
    # A worker that died mid-job left the row "running" and none of its work: the retry does it once.
    with engine.begin() as conn:
        conn.execute(update(jobs).where(jobs.c.id == job_id).values(status="running", result=None))
        conn.execute(registry.table("crm", "contact").delete())
    run_job(engine, job_id)
    assert count(engine, registry) == 1200 and queue.get(job_id)["status"] == "done"


def test_export_job(crm, sheet, tmp_path):
    engine, _registry = crm
    queue = JobQueue(engine)
    queue.submit("import", import_params(sheet), 1)
    out = tmp_path / "out.xlsx"
    job = queue.get(queue.submit("export", {"app": "crm", "entity": "contact", "path": str(out),
                                            "format": "xlsx", "where": "name != 'P1'"}, 1))
    assert job["status"] == "done" and job["result"]["rows"] == 1199 and job["processed"] == 1199
    assert out.stat().st_size > 0


def test_unknown_kind_is_bad_input(engine):
    with pytest.raises(BadInput):
        JobQueue(engine).submit("mine_bitcoin", {}, None)


@pytest.mark.skipif(not REDIS_URL, reason="METACRM_TEST_REDIS_URL not set")
def test_rq_backend_runs_the_same_job_in_a_worker(crm, sheet):
    from redis import Redis
    from rq import SimpleWorker

    engine, registry = crm
    name = f"metacrm-test-{uuid.uuid4().hex[:8]}"
    queue = JobQueue(engine, redis_url=REDIS_URL, queue_name=name)
    job_id = queue.submit("import", import_params(sheet), 1)
    assert queue.get(job_id)["status"] == "queued" and count(engine, registry) == 0
    redis = Redis.from_url(REDIS_URL)
    from rq.exceptions import DeserializationError
    from rq.job import Job
    from rq.serializers import JSONSerializer

    # JSON, not pickle (whoever can write to Redis must not be able to run code in a worker),
    # and no database URL in Redis
    assert Job.fetch(job_id, connection=redis, serializer=JSONSerializer).args == [job_id]
    with pytest.raises(DeserializationError):
        Job.fetch(job_id, connection=redis).args
    WorkerEngine.bind(engine)
    try:
        SimpleWorker([name], connection=redis, serializer=JSONSerializer).work(burst=True)
        job = queue.get(job_id)
        assert job["status"] == "done" and job["result"]["created"] == 1200 and job["processed"] == 1200
        assert count(engine, registry) == 1200
    finally:
        for key in redis.scan_iter(f"rq:*{name}*"):
            redis.delete(key)
