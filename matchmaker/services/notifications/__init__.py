"""Notifications (通知): an outbox written with the change that causes it, and its delivery.

- :mod:`.outbox` writes notices (``notify``) in the caller's transaction and folds a burst for
  one person into one notice while nothing of it has gone out;
- :mod:`.render` turns a notice into a subject, a plain-text and an HTML body in the person's
  language;
- the sender fans each notice out into one delivery per channel the person chose and delivers
  them with retries; reminders are read off the agenda when they fall due.
"""
