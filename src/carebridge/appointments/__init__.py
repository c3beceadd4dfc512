"""Appointments for a person (with a service, a referral, a worker), their interpreter bookings and reminders."""
