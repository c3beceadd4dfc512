"""prescribing (issue 11)."""
