"""Video meeting links for video bookings, made from `settings.video_link_template`.

"{room}" in the template becomes a random room name nobody can guess (`secrets.token_urlsafe`, 128 bits). Carebridge
never calls the video service: the link is only text, sealed with the person's data key where it is kept. An empty
template makes no link: the page tells the booker to add one by hand.
"""

from __future__ import annotations

import secrets

from carebridge.config import Settings

ROOM_BYTES = 16


def room_name() -> str:
    return secrets.token_urlsafe(ROOM_BYTES)


def make_link(settings: Settings) -> str | None:
    """A new meeting link, or None when no template is configured (or it has no "{room}")."""
    template = (settings.video_link_template or "").strip()
    if not template or "{room}" not in template:
        return None
    return template.replace("{room}", room_name())
