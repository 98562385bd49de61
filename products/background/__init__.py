"""Background work: django.tasks tasks, the submitted-command log, worker locks and maintenance runs."""
