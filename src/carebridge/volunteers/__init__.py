"""volunteers (issue 11)."""
