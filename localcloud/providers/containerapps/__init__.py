"""Microsoft.App: managed environments and their storages, container apps (revisions and
replicas come from the runtime), and jobs."""
