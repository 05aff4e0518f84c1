"""Azure Files data plane (Shared Key, path-style `/<account>/<share>/<path>`).

service.py   FileService (the `localcloud.cloud.Files` protocol) and `install(cloud)`
auth.py      the Shared Key check of a request   <- sharedkey.py (pure string-to-sign)
paths.py     decoding and validating request paths (pure)
ops.py       which operation a request is; the `Reply` handlers return (pure)
shares.py    share create / properties / delete
dirs.py      directory create / properties / metadata / delete / list <- listing.py (XML)
fileops.py   file create / put range / properties / metadata / get / delete
inputs.py    headers and query parameters -> values or 400s (pure)
props.py     sidecar records vs what the disk says; property headers (pure)
share.py     one share: its folder (fs.py), its records (meta.py), an ETag clock
fs.py        the share folder, walked with O_NOFOLLOW directory descriptors
meta.py      the per-share SQLite sidecar under <state_dir>/files-meta/
locks.py     per-file write locks
send.py      reading bounded bodies, writing replies (files streamed from disk)
"""
