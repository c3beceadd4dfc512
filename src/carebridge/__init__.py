"""Carebridge: bridges migrants and refugees to the health and social care they are entitled to."""

__version__ = "0.1.0"
