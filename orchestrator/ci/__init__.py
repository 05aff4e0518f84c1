"""`orchestrator ci github`: a GitHub Actions workflow that provisions and deploys (and, on
demand, fine-tunes) with OpenID Connect - no stored Azure secret.

- `names`: the rules every rendered value is checked against (pure).
- `spec`: the workflow to write - jobs, timeouts, the federated-credential subject (pure).
- `federation`: the `az` / `gh` commands that create the federated credential (pure).
- `render`: the YAML from `github-workflow.yml.j2`, with a header that records its hash, and
  the decision whether an existing file may be replaced (pure) + the atomic write.
- `gitremote`: owner/repo and the repository root, asked of `git`.
"""
