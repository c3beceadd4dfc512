"""The jobs domain's own job: forgetting old finished jobs, every night."""

from __future__ import annotations

import datetime as dt

from carebridge.jobs.service import Schedule, purge_finished

HANDLERS = {"jobs.purge": purge_finished}

SCHEDULES = [Schedule("jobs.purge", daily_at=dt.time(3, 30))]
