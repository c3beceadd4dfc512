"""interpreters (issue 11)."""
