"""`orchestrator destroy`: delete what this workspace's provision created.

read the config → find the resources (the deployment that created them) → plan (delete the
app, or the job; keep the shared part unless --all) → show → confirm → delete in order,
waiting with progress → clear the config's keys of what was deleted. `--dry-run` stops after
showing. The resource group is never deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from orchestrator.app import App
from orchestrator.destroy.configs import ConfigSide, clear, read_side
from orchestrator.destroy.discover import Found, discover
from orchestrator.destroy.execute import Done, Executor
from orchestrator.destroy.plan import DestroyPlan, Scope, plan, share_warning
from orchestrator.errors import InputError, Interrupted
from orchestrator.events import Notice
from orchestrator.invocation import Invocation
from orchestrator.result import CommandResult, Message

Ask = Callable[[str], str]  # a question → what the user typed
YES = ("y", "yes")


@dataclass(frozen=True)
class DestroyOptions:
    finetune: bool = False
    everything: bool = False  # --all
    purge: bool = False
    yes: bool = False
    dry_run: bool = False
    timeout: float = 1800.0


def command_line(options: DestroyOptions, as_json: bool) -> str:
    """The command that deletes without asking."""
    flags = [
        ("--finetune", options.finetune),
        ("--all", options.everything),
        ("--purge", options.purge),
        ("--json", as_json),
    ]
    return " ".join(["orchestrator destroy", *(f for f, on in flags if on), "--yes"])


def check_options(options: DestroyOptions) -> None:
    if options.purge and not options.everything:
        raise InputError(
            "--purge force-deletes the Log Analytics workspace, which only --all deletes",
            hint="add --all (it also deletes the environment and the storage account)",
        )


def run(
    inv: Invocation, app: App, options: DestroyOptions, ask: Ask | None = None
) -> CommandResult:
    check_options(options)
    side = read_side(inv.workspace, finetune=options.finetune)
    known = side.known
    teardown = app.teardown(known.subscription)
    found = discover(known, app.deployments(known.subscription), teardown)
    chosen = plan(found.resources, Scope(options.finetune, options.everything, options.purge))
    display = app.display()
    try:
        for line in _listing(found, chosen, side):
            display.show(Notice(line))
        warning = share_warning(chosen)
        if warning:
            display.show(Notice(warning, "warning"))
    finally:
        display.close()
    if options.dry_run or chosen.empty:
        cleared: tuple[str, ...] = ()
        if not found.group_exists and not options.dry_run:  # everything in it is gone
            keys = side.keys_to_clear(options.everything)
            cleared = keys if clear(side, keys) else ()
        return _result(side, found, chosen, options, (), cleared, dry=options.dry_run)
    if not confirmed(chosen, options, inv.as_json, app.settings.interactive, ask):
        return _declined(side, found, chosen)
    display = app.display()
    try:
        done = Executor(teardown, display, timeout=options.timeout).run(chosen)
    finally:
        display.close()
    keys = side.keys_to_clear(options.everything)
    written = keys if clear(side, keys) else ()
    return _result(side, found, chosen, options, done, written, dry=False)


def _listing(found: Found, chosen: DestroyPlan, side: ConfigSide) -> list[str]:
    group = side.known.group
    if not found.group_exists:
        return [f"resource group {group} does not exist: nothing is left to delete"]
    head = f"in resource group {group} (kept), from {found.source}:"
    return [head, *(f"  {line}" for line in chosen.lines())]


def confirmed(
    chosen: DestroyPlan, options: DestroyOptions, as_json: bool, interactive: bool, ask: Ask | None
) -> bool:
    """--yes; else the user's answer on a terminal (with --all: the storage account's name,
    typed; end of input is no, Ctrl-C exit 130); not a terminal: exit 2 with the command that
    does not ask."""
    if options.yes:
        return True
    if not interactive or ask is None:
        raise InputError(
            "destroy asks before deleting, but this is not a terminal",
            hint=f"run `{command_line(options, as_json)}` to delete without asking, or "
            "--dry-run to see the list",
        )
    try:
        if chosen.confirm_word:
            typed = ask(f"type the storage account name ({chosen.confirm_word}) to delete it all")
            return typed.strip() == chosen.confirm_word
        count = len(chosen.delete)
        answer = ask(f"delete {count} resource{'s' if count != 1 else ''}? [y/N]")
        return answer.strip().lower() in YES
    except EOFError:  # no answer: no
        return False
    except KeyboardInterrupt:
        raise Interrupted("nothing deleted: interrupted at the question") from None


def _declined(side: ConfigSide, found: Found, chosen: DestroyPlan) -> CommandResult:
    data = {"action": "declined", "source": found.source, "plan": chosen.as_data()}
    text = f"nothing deleted; {side.shown} unchanged"
    return CommandResult("destroy", data=data, messages=(Message(text),))


def _result(
    side: ConfigSide,
    found: Found,
    chosen: DestroyPlan,
    options: DestroyOptions,
    done: tuple[Done, ...],
    cleared: tuple[str, ...],
    *,
    dry: bool,
) -> CommandResult:
    data: dict[str, object] = {
        "action": "dry-run" if dry else "destroyed",
        "group": side.known.group,
        "source": found.source,
        "plan": chosen.as_data(),
        "deleted": [d.as_data() for d in done],
        "config": {"file": side.shown, "cleared": list(cleared)},
    }
    messages: list[Message] = []
    if dry:
        messages.append(Message("dry run: nothing deleted"))
        messages.append(Message(f"`{command_line(options, False)}` deletes them", "detail"))
    elif not chosen.delete:
        messages.append(Message("nothing to delete"))
        if cleared:
            messages.append(Message(f"{side.shown}: cleared {', '.join(cleared)}", "detail"))
    else:
        gone = sum(1 for d in done if d.result == "already gone")
        tail = f" ({gone} already gone)" if gone else ""
        messages.append(Message(f"deleted {len(done)} resource(s){tail}", "success"))
        if cleared:
            messages.append(Message(f"{side.shown}: cleared {', '.join(cleared)}", "detail"))
        kept = [r.describe() for r in chosen.keep]
        if kept:
            messages.append(Message(f"kept: {', '.join(kept)} (--all deletes them)", "detail"))
    return CommandResult("destroy", data=data, messages=tuple(messages))
