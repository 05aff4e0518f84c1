"""The Bicep CLI on demand: a pinned, checksum-verified install into the az CLI's folder.

- `platforms`: which release asset fits this machine (detected as the az CLI does; pure).
- `releases`: the pinned release and the SHA-256 of each of its platform binaries, each
  with the public source it was taken from (data).
- `settings`: download location, version override and install folder, read once.
- `plan`: what an install would do - URL, target, expected digest or "unverified" (pure).
- `download`: the HTTPS download (the only module here that talks to the network).
- `install`: carries a plan out - temp file, verify, chmod, atomic rename.
- `offer`: asks on a terminal before `compile` installs one, or says the exact command.
- `lazyoffer`: a command's offer, built only when `compile` asks for it.
"""
