"""The orchestrator's Azure boundary: the only package that imports `azure.*`.

`cloud` (which cloud, where its endpoints are), `credentials` (one token chain), `errors`
(SDK exceptions → our errors), `errortree` (ARM error trees → root causes), `deployments`,
`containerapps`, `storage` and `files` (the adapters; each returns the frozen dataclasses of
`models`, `appmodels` or `sharemodels`).
Importing this package imports nothing of the SDK: each module imports what it uses.
"""
