"""`orchestrator finetune secret set NAME [--from-env VAR]`: the toolkit's "Add Azure
Container Apps Job secret for fine-tuning".

The value comes from the variable named by `--from-env`, or from a hidden prompt on a
terminal - never from the command line (argv is visible to every user of the machine). It is
stored as a job secret under a name Container Apps accepts (`HF_TOKEN` → `hf-token`) and
exposed as the variable `NAME` through a `secretRef` in every container; one PATCH sends the
whole secret list and container list back (ARM replaces arrays), so nothing else is lost.
The value is never printed, logged or written to disk. A name whose secret another variable
already reads (`hf_token` after `HF_TOKEN`) is refused, since storing it would change both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from orchestrator.app import App
from orchestrator.errors import InputError
from orchestrator.finetune import secrets
from orchestrator.finetune.commands import context
from orchestrator.invocation import Invocation
from orchestrator.result import CommandResult, Message

Ask = Callable[[str], str]


def secret_value(
    env_name: str, from_env: str | None, environ: Mapping[str, str], ask: Ask | None
) -> str:
    """The value, from the variable or the prompt; InputError (exit 2) when there is none."""
    if from_env is not None:
        variable = secrets.check_env_name(from_env, "--from-env")
        value = environ.get(variable)
        if value is None:
            raise InputError(f"--from-env {variable}: the variable is not set")
    elif ask is not None:
        try:  # Ctrl-C goes on up: interrupted (exit 130), nothing stored
            value = ask(f"value of {env_name} (hidden)")
        except EOFError:
            raise InputError(f"{env_name}: no value given") from None
    else:
        raise InputError(
            f"{env_name}: no value: --from-env not given, and the hidden prompt needs a "
            "terminal (and no --json)",
            hint=f"export it and pass --from-env VAR (e.g. --from-env {env_name})",
        )
    if not value:
        raise InputError(f"{env_name}: the value is empty")
    return value


def run(
    inv: Invocation, app: App, name: str, *, from_env: str | None, ask: Ask | None
) -> CommandResult:
    env_name = secrets.check_env_name(name, "NAME")
    secret_name = secrets.secret_name_for(env_name)
    loaded = context.load(inv.workspace)
    value = secret_value(env_name, from_env, inv.settings.environ, ask)
    config = loaded.config
    jobs = app.jobs(config.subscription)
    job = context.read_job(jobs, config)
    _check_not_shared(secrets.secret_refs(job.document), env_name, secret_name)
    existing = secrets.secrets_from_list(jobs.list_secrets(config.group, config.job))
    replaced = any(s.name == secret_name for s in existing)
    body = secrets.set_secret_body(job.document, existing, env_name, secret_name, value)
    jobs.update(config.group, config.job, body)
    data: dict[str, object] = {
        "job": config.job,
        "env": env_name,
        "secret": secret_name,
        "replaced": replaced,
    }
    verb = "replaced" if replaced else "added"
    said = Message(
        f"{verb} secret {secret_name} on job {config.job}; every container sees it as ${env_name}",
        "success",
    )
    return CommandResult("finetune secret set", data=data, messages=(said,))


def _check_not_shared(refs: Mapping[str, str], env_name: str, secret_name: str) -> None:
    """Exit 2 when another variable already reads `secret_name` (`HF_TOKEN` and `hf_token`
    both map to `hf-token`): storing it would silently change that variable's value too."""
    others = sorted(env for env, name in refs.items() if name == secret_name and env != env_name)
    if others:
        shown = ", ".join(f"${env}" for env in others)
        raise InputError(
            f"{env_name}: secret {secret_name} is already read by {shown}; setting it would "
            f"change {shown} too",
            hint=f"set {others[0]} itself, or pick a name that maps to another secret",
        )
