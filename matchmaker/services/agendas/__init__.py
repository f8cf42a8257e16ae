"""Agendas: build and repair, the solver instance, views, seats, bookings."""
