"""Reminders before a duty, and the notices to the coordination about duties with nobody:
the policy, the choices each person makes, the texts, the jobs and their record."""
