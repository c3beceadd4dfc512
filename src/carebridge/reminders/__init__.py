"""reminders (issue 11)."""
