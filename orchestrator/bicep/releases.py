"""The pinned Bicep release and the SHA-256 of each of its platform binaries (data).

Bicep publishes no checksum files (https://github.com/Azure/bicep/issues/5471 and #12135 ask
for them), so the digests below are the ones package managers recorded when they packaged
this release's assets from https://github.com/Azure/bicep/releases/tag/v0.33.13; each entry
names where it was read. The az CLI downloads the same assets from
`https://downloads.bicep.azure.com/{tag}/` (the GitHub release host is what these sources
hashed; the two serve the same release files).

Platforms with no digest a source could be cited for - `linux-musl-x64` and `win-arm64` -
have none here: the tool will not install them for the pinned release unless the user names a
release with `--version` / `--bicep-version` / ORCHESTRATOR_BICEP_VERSION, which installs it
unverified, with a warning.

To move the pin: take the new release's digests from a packager that records them (the
sources below all track new releases), cross-check where two sources overlap, and cite each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

PINNED_VERSION = "v0.33.13"

_HERMIT = (
    "cashapp/hermit-packages bicep.hcl @ feaa9f8bc0020999743347d54c5a0f8bc83c1cde (sha256sums)"
)
_HOMEBREW = (
    "Azure/homebrew-bicep Formula/bicep.rb @ e09742107870f2693cdcbdfebc3be6999308a809 (sha256)"
)
_CHOCOLATEY = (
    "piraces/chocolatey-packages automatic/bicep/tools/VERIFICATION.txt"
    " @ 3e70296698f6f6be6e9632c05fe34615d1d49f1e (checksum64)"
)


@dataclass(frozen=True)
class PinnedDigest:
    sha256: str  # lower-case hex
    sources: tuple[str, ...]  # where the digest was read: repository, path, commit


# release tag -> platform -> digest of `bicep-{platform}[.exe]`
PINS: Mapping[str, Mapping[str, PinnedDigest]] = {
    PINNED_VERSION: {
        "linux-x64": PinnedDigest(
            "9b5a5a89d3b280503f8448bbb7f28ba304f03eb5eec567c50e730f69e2d74ad8", (_HERMIT,)
        ),
        "linux-arm64": PinnedDigest(
            "ba6e504d860afa74ea9aee05b0566fd4d15000acd4d833d4e8cc7fb0c697319e", (_HERMIT,)
        ),
        "osx-x64": PinnedDigest(
            "9ee97ab3974d01c93295a43bd8a5b9d05081efb9fba5b99004dee68e5b480c8b",
            (_HERMIT, _HOMEBREW),
        ),
        "osx-arm64": PinnedDigest(
            "5c40c9a9a063ab91ed5f1cfb9ec9c84f1d5a278ec5de3756471a9478a3009087",
            (_HERMIT, _HOMEBREW),
        ),
        "win-x64": PinnedDigest(
            "aad697c87651a4532df16078b009d60d2fe45f9de7b0541e4a6b1df8b4ccc400", (_CHOCOLATEY,)
        ),
    }
}
