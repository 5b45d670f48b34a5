"""Celery app. Worker: ``celery -A clienteling worker``; beat: ``celery -A clienteling beat``."""

import os

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")

app = Celery("clienteling")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# A task logs under the request id of the request (or task) that queued it.
@before_task_publish.connect(weak=False)
def _carry_request_id(headers=None, **kwargs):
    from integrations.request_id import task_headers_add

    task_headers_add(headers=headers)


@task_prerun.connect(weak=False)
def _enter_request_id(task=None, **kwargs):
    from integrations.request_id import task_context_set

    task_context_set(task=task)


@task_postrun.connect(weak=False)
def _leave_request_id(**kwargs):
    from integrations.request_id import task_context_clear

    task_context_clear()
