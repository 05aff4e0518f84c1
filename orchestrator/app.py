"""The composition root: every client and service of one invocation, built from Settings.

The only module that knows localcloud exists: with `--cloud local` (ORCHESTRATOR_CLOUD=local)
the cloud profile comes from the running instance named by LOCALCLOUD_STATE_DIR (its client
file; one is started in the background, announced, when none runs - except for `status`,
which never starts one), and the tool signs in as its service principal exactly as with a
real one. Otherwise the profile is the az CLI's active cloud and the credential the chain of
`azure/credentials.py`. Everything is built on first use, so a command pays only for the
clients it uses.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, TextIO

from orchestrator.azure.cloud import CloudProfile, LocalCloudFinder, azure_profile, local_profile
from orchestrator.display import SafeDisplay, make_display
from orchestrator.events import Notice
from orchestrator.settings import LOCAL, Settings

if TYPE_CHECKING:
    from orchestrator.azure.clients import ClientFactory
    from orchestrator.azure.containerapps import ContainerApps
    from orchestrator.azure.credentials import Credential
    from orchestrator.azure.deployments import Deployments
    from orchestrator.azure.files import FileShare
    from orchestrator.azure.http import Https
    from orchestrator.azure.jobs import Jobs, LogStream
    from orchestrator.azure.loganalytics import LogAnalytics
    from orchestrator.azure.quota import QuotaReader
    from orchestrator.azure.sharemodels import StorageAccess
    from orchestrator.azure.storage import Storage
    from orchestrator.azure.teardown import Teardown
    from orchestrator.provision.kind import TemplateKind
    from orchestrator.provision.pipeline import Provisioner
    from orchestrator.provision.quotacheck import QuotaCheck
    from orchestrator.workspace import Workspace

SDK_LOGGERS = ("azure", "msal", "urllib3", "orchestrator.http")
SDK_PACKAGES = frozenset({"azure", "msal", "urllib3", "requests"})


def configure_logging(debug: bool, stream: TextIO) -> None:
    """SDK log lines never reach the user, except with --debug (then all of them, on
    stderr). Without --debug the loggers are silenced when an SDK package is first
    imported (most runs import none, nor `logging`), or now if one already is."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _SilenceOnImport)]
    if debug or not SDK_PACKAGES.isdisjoint(sys.modules):
        _set_loggers(debug, stream)
    else:
        sys.meta_path.insert(0, _SilenceOnImport(stream))


class _SilenceOnImport:
    """An import-system finder that finds nothing: it silences the SDK loggers the moment
    an SDK package is first imported, before the package logs anything, and steps aside."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def find_spec(self, fullname: str, path: object, target: object = None) -> None:
        if fullname.partition(".")[0] in SDK_PACKAGES and self in sys.meta_path:
            sys.meta_path.remove(self)
            _set_loggers(False, self._stream)


def _set_loggers(debug: bool, stream: TextIO) -> None:
    import logging

    for name in SDK_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = False
        if debug:
            handler = logging.StreamHandler(stream)
            handler.setFormatter(logging.Formatter("debug: %(name)s: %(message)s"))
            logger.addHandler(handler)
            logger.setLevel(logging.DEBUG)
        else:
            logger.addHandler(logging.NullHandler())
            logger.setLevel(logging.CRITICAL + 1)


class App:
    """The services of one invocation (one cloud profile, one credential, one token cache)."""

    def __init__(
        self,
        settings: Settings,
        *,
        stderr: TextIO,
        as_json: bool = False,
        may_start_localcloud: bool = True,
    ) -> None:
        self.settings = settings
        self._stderr = stderr
        self._as_json = as_json
        self._may_start = may_start_localcloud
        self._profile: CloudProfile | None = None
        self._credential: Credential | None = None
        self._https: Https | None = None
        self._clients: ClientFactory | None = None

    def for_cloud(self, cloud: str) -> App:
        """The same services on another cloud (attach follows the recorded deployment's)."""
        settings = replace(self.settings, cloud=cloud, cloud_given=True)
        return App(
            settings,
            stderr=self._stderr,
            as_json=self._as_json,
            may_start_localcloud=self._may_start,
        )

    # --- the cloud -----------------------------------------------------------------------

    @property
    def profile(self) -> CloudProfile:
        if self._profile is None:
            self._profile = self._find_profile()
        return self._profile

    def _find_profile(self) -> CloudProfile:
        if self.settings.cloud != LOCAL:
            return azure_profile(self.settings.az_config_dir)
        finder = LocalCloudFinder(
            self.settings.localcloud_state_dir, self.settings.environ, self._announce
        )
        return local_profile(finder.find(start=self._may_start))

    def _announce(self, text: str) -> None:
        self.display().show(Notice(text))

    @property
    def credential(self) -> Credential:
        """The profile's credential behind the token cache (`azure/tokens.py`): it is built,
        and azure-identity imported, only when no kept token will do."""
        if self._credential is None:
            from orchestrator.azure.credentials import cached_credential

            self._credential = cached_credential(self.profile, self.settings)
        return self._credential

    @property
    def clients(self) -> ClientFactory:
        if self._clients is None:
            from orchestrator.azure.clients import ClientFactory

            self._clients = ClientFactory(
                self.profile,
                self.credential,
                self.settings.debug,
                backoff=self.settings.retry_backoff,
            )
        return self._clients

    # --- the adapters --------------------------------------------------------------------

    def deployments(self, subscription: str) -> Deployments:
        return self.clients.deployments(subscription)

    def containerapps(self, subscription: str) -> ContainerApps:
        return self.clients.containerapps(subscription)

    def storage(self, subscription: str) -> Storage:
        return self.clients.storage(subscription)

    def jobs(self, subscription: str) -> Jobs:
        from orchestrator.azure.jobs import jobs_adapter

        return jobs_adapter(self.clients, subscription)

    def log_stream(self) -> LogStream:
        from orchestrator.azure.jobs import LogStream

        return LogStream(self.profile.connection_verify)

    def log_analytics(self) -> LogAnalytics:
        from orchestrator.azure.loganalytics import LogAnalytics, query_endpoint

        profile = self.profile
        return LogAnalytics(self.credential, query_endpoint(profile), profile.connection_verify)

    def quota(self, subscription: str) -> QuotaReader:
        from orchestrator.azure.quota import QuotaReader

        return QuotaReader(self.clients.rest(subscription), subscription)

    def quota_check(self, subscription: str) -> QuotaCheck:
        from orchestrator.provision.quotacheck import QuotaCheck

        return QuotaCheck(self.quota(subscription), subscription)

    def teardown(self, subscription: str) -> Teardown:
        from orchestrator.azure.teardown import Teardown

        return Teardown(self.clients.rest(subscription))

    def open_share(self, access: StorageAccess, share: str) -> FileShare:
        from orchestrator.azure.storage import open_share

        return open_share(
            access,
            share,
            verify=self.profile.connection_verify,
            backoff=self.settings.retry_backoff,
            transport=self.clients.transport(),
        )

    @property
    def https(self) -> Https:
        if self._https is None:
            from orchestrator.azure.http import Https

            self._https = Https(self.profile.connection_verify)
        return self._https

    # --- the user's side -----------------------------------------------------------------

    def display(self) -> SafeDisplay:
        """Events on stderr: NDJSON with --json, rich on a terminal, plain lines otherwise."""
        terminal = bool(getattr(self._stderr, "isatty", lambda: False)())
        return make_display(
            self._stderr, as_json=self._as_json, terminal=terminal, color=self.settings.color
        )

    def provisioner(
        self,
        workspace: Workspace,
        deployments: Deployments,
        display: SafeDisplay,
        kind: TemplateKind | None = None,
    ) -> Provisioner:
        from orchestrator.provision.kind import INFERENCE
        from orchestrator.provision.pipeline import Provisioner

        return Provisioner(
            workspace,
            deployments,
            display,
            cloud=self.profile.name,
            portal_url=self.profile.portal_url,
            interactive=self.settings.interactive,
            ask=prompt,
            quota=self.quota_check,
            kind=kind or INFERENCE,
        )


def prompt(question: str, choices: Sequence[str]) -> str:
    """Ask on the terminal (the question on stderr) until one of `choices` is typed; an empty
    answer is the first. Ctrl-C raises KeyboardInterrupt and end of input EOFError, so the
    pipeline can tell "leave it running" from "declined" (click.prompt makes both one Abort)."""
    import sys

    while True:
        sys.stderr.write(f"{question} ({', '.join(choices)}) [{choices[0]}]: ")
        sys.stderr.flush()
        try:
            line = sys.stdin.readline()
        except KeyboardInterrupt:
            sys.stderr.write("\n")
            raise
        if not line:
            raise EOFError
        answer = line.strip().lower() or choices[0]
        if answer in choices:
            return answer
        sys.stderr.write(f"please answer {' or '.join(choices)}\n")
