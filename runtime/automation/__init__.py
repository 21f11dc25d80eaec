"""Work that runs after a transaction commits: jobs (inline or RQ), later triggers and actions."""

from runtime.automation.jobs import JobContext
from runtime.automation.jobs import JobQueue
from runtime.automation.jobs import get_job
from runtime.automation.jobs import job_kind
from runtime.automation.jobs import run_job

__all__ = ["JobContext", "JobQueue", "get_job", "job_kind", "run_job"]
