"""Test data, built through the domains' own services (never by writing rows behind their back)."""
