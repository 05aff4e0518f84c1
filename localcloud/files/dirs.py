"""Directory operations: create, get properties, set metadata, delete, list."""

from __future__ import annotations

import errno
from collections.abc import Mapping

from localcloud.files import errors, inputs, listing, permissions
from localcloud.files.errors import FileError
from localcloud.files.fs import ParentMissing
from localcloud.files.ops import Reply
from localcloud.files.paths import Target
from localcloud.files.props import Props, Record, item_headers, reported_id
from localcloud.files.share import Share

_ENCRYPTED = {"x-ms-request-server-encrypted": "true"}


def create(share: Share, target: Target, headers: Mapping[str, str]) -> Reply:
    if not target.parts:
        raise errors.already_exists()
    metadata = inputs.metadata(headers.items())
    times = inputs.smb_times(headers)
    key = permissions.requested(share.meta, headers)
    try:
        share.fs.mkdir(target.parts)
    except FileExistsError as error:
        raise errors.already_exists() from error
    except ParentMissing as error:
        raise errors.parent_not_found() from error
    share.save(target.parts, None, metadata=metadata, times=times, permission_key=key)
    return Reply(201, {**item_headers(_directory(share, target)), **_ENCRYPTED})


def properties(share: Share, target: Target) -> Reply:
    return Reply(200, item_headers(_directory(share, target)))


def set_metadata(share: Share, target: Target, headers: Mapping[str, str]) -> Reply:
    metadata = inputs.metadata(headers.items())
    _directory(share, target)
    share.save(target.parts, share.record(target.parts), metadata=metadata)
    props = _directory(share, target)
    return Reply(200, {"ETag": props.etag, **_ENCRYPTED})


def set_properties(share: Share, target: Target, headers: Mapping[str, str]) -> Reply:
    """Set Directory Properties: SMB times and attributes."""
    _directory(share, target)
    times = inputs.smb_times(headers)
    key = permissions.requested(share.meta, headers)
    share.save(target.parts, share.record(target.parts), times=times, permission_key=key)
    return Reply(200, {**item_headers(_directory(share, target)), **_ENCRYPTED})


def delete(share: Share, target: Target) -> Reply:
    if not target.parts:
        raise errors.invalid_name("the root directory of a share cannot be deleted")
    _directory(share, target)
    try:
        share.fs.rmdir(target.parts)
    except OSError as error:
        if error.errno in (errno.ENOTEMPTY, errno.EEXIST):
            message = "The specified directory is not empty."
            raise FileError(409, "DirectoryNotEmpty", message) from error
        if error.errno in (errno.ENOENT, errno.ENOTDIR):
            raise errors.resource_not_found() from error
        raise
    except ParentMissing as error:
        raise errors.resource_not_found() from error
    share.meta.delete(target.relpath)
    return Reply(202)


def list_entries(share: Share, target: Target, query: Mapping[str, str]) -> Reply:
    options = listing.parse_options(query)
    try:
        scanned = share.fs.scan(target.parts)
    except ParentMissing as error:
        raise errors.parent_not_found() from error
    if scanned is None:
        raise errors.resource_not_found()
    disk, listed = scanned
    entries = dict(listed)
    names, next_marker = listing.select_page(entries, options)
    prefix = f"{target.relpath}/" if target.parts else ""
    paths = [prefix + name for name in names]
    before_last = [entries[name].is_dir for name in names[:-1]]
    records = _records(share, target.relpath, paths, before_last)
    directory_id = reported_id(records.get(target.relpath), disk, is_root=not target.parts)
    items = tuple(
        [(name, records.get(path), entries[name]) for name, path in zip(names, paths, strict=True)]
    )
    context = listing.ListingContext(
        service_endpoint=share.endpoint,
        share=share.name,
        directory_path=target.relpath,
        directory_id=directory_id,
    )
    body = listing.render(listing.Page(items, next_marker), options, context)
    return Reply(200, {"Content-Type": "application/xml"}, body)


def _records(
    share: Share, directory: str, paths: list[str], dirs_before_last: list[bool]
) -> dict[str, Record]:
    """The records of the listed directory and of `paths`, its children on the page, sorted
    (more may come back; they are not asked for). Between two files there is nothing to
    record, so a page with no directory before its last entry is read in one range;
    otherwise the contents of its directories would be read too, and each path is looked up."""
    if not paths or any(dirs_before_last) or not _encodable(paths):
        return share.meta.get_many([directory, *paths])
    return share.meta.get_range(paths[0], paths[-1], also=directory)


def _encodable(paths: list[str]) -> bool:
    """False when a name holds undecodable bytes (lone surrogates SQLite cannot take; looking
    each path up then fails as it always did)."""
    try:
        "".join(paths).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _directory(share: Share, target: Target) -> Props:
    """The directory's properties; 404 `ParentNotFound` when a folder on its path is missing,
    `ResourceNotFound` when it is missing or a file."""
    try:
        props = share.props(target.parts)
    except ParentMissing as error:
        raise errors.parent_not_found() from error
    if props is None or not props.is_dir:
        raise errors.resource_not_found()
    return props
