"""Azure Files data plane (Shared Key or Entra bearer, path-style `/<account>/<share>/<path>`).

service.py     FileService (the `localcloud.cloud.Files` protocol): auth, routing, shares,
               snapshots, copy sources, List Shares / service properties
auth.py        Shared Key check (<- sharedkey.py, pure string-to-sign) and bearer tokens
paths.py       decoding and validating request paths (pure)
ops.py         which operation a request is; the `Reply` handlers return (pure)
handlers.py    directory and file operation -> handler
shares.py      share create / properties / metadata / stats / ACL / lease / permissions
shareprops.py  share settings in the store: quota (also set by ARM), tier, lease, ACL
account.py     List Shares and File service properties XML (pure)
acl.py         stored access policy XML (pure)
snapshots.py   share snapshots: copies of the folder and records, named by the second
dirs.py        directory create / properties / metadata / delete / list <- listing.py (XML)
fileops.py     file create / put range / properties / metadata / get / delete / ranges / lease
copyops.py     Copy File and Put Range From URL
rename.py      Rename File / Directory
leases.py      file and share leases: actions and the per-request check (pure)
ranges.py      written / cleared byte ranges, List Ranges XML and diffs (pure)
permissions.py security descriptors and their keys
inputs.py      headers and query parameters -> values or 400s (pure)
props.py       sidecar records vs what the disk says; property headers (pure)
share.py       one share: its folder (fs.py), its records (meta.py), an ETag clock
fs.py          the share folder, walked with O_NOFOLLOW directory descriptors
meta.py        the per-share SQLite sidecar under <state_dir>/files-meta/ (records, descriptors)
locks.py       per-file write locks
send.py        reading bounded bodies, writing replies (files streamed from disk)
errors.py      `FileError` and the XML error body
"""
