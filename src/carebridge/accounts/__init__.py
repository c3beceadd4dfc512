"""Staff organisations, teams, accounts, roles, sign-in and permissions."""
