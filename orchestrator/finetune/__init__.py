"""The fine-tuning half of the workspace as pure logic (no Azure SDK, no I/O beyond the
workspace files each module names).

- `family`: which template family a workspace is (2024 `configs/<model>`, Phi Silica, Aion)
  and where its files live.
- `config`: the `finetuning.config.json` contract: keys per family, checks, the merge of a
  deployment's outputs.
- `layout`: what a run puts on the file share, and run ids.
- `override`: the start body (or job patch) that runs the config's commands without wiping
  the job's environment, secrets or volume.
- `secrets`: job secrets exposed as environment variables through `secretRef`.
- `logs`: console lines, their de-duplication across reconnects, the Log Analytics queries.
- `status`: execution statuses and durations.
- `links`: the portal pages of a run (execution history, file share).
- `jobdoc`: a job document as ARM returns it, read leniently.
"""
