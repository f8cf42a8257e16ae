"""Registry: events and sessions, registrations, names, accounts."""
