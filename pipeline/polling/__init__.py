"""Scheduling and polling: the poll cycle, its analyze workers and store queue, and
the APScheduler loop of ``minewatch run``."""
