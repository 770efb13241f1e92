"""Background tasks (Django Tasks API): media jobs run on the task workers, not in requests."""

from django_tasks import task


@task()
def run_media_job(job_id: int) -> str:
    """Run one ``MediaJob``; progress and the outcome are written to the job row."""
    from .services import run_job

    return run_job(job_id)
