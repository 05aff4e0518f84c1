"""The `orchestrator finetune ...` commands: one module per command, each
`run(inv, app, ...) -> CommandResult`, over the pure modules of `orchestrator.finetune` and
the jobs adapters (`orchestrator.azure.jobs`, `orchestrator.azure.loganalytics`)."""
