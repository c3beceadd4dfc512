"""Placeholder: this domain's tables (issue 11)."""
