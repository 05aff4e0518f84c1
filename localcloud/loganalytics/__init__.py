"""The Log Analytics side of localcloud: rows from app and job console output and system
events (sink.py, tables.py), and the query API with a small KQL subset (api.py, kql.py,
evaluate.py). Wired by localcloud/jobsystem.py; documented in docs/localcloud-jobs.md."""
