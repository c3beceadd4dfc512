"""The notifications domain's job kinds."""

from __future__ import annotations

from carebridge.notifications.person import notify_person
from carebridge.notifications.service import notify_staff

HANDLERS = {"notify.staff": notify_staff, "notify.person": notify_person}
