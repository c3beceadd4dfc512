"""Notifications to staff (e-mail) and, later, to clients (SMS): payload-free texts, sent by background jobs."""
