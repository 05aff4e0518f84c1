"""The SQLite document store (in memory)."""

from __future__ import annotations

from localcloud.store import BASE_PLACEHOLDER, BaseUrlCodec, SqliteStore


def test_put_then_get_is_case_insensitive_on_keys() -> None:
    store = SqliteStore(":memory:")
    store.put("resource", "/Subscriptions/S/ResourceGroups/RG", {"name": "RG"})
    assert store.get("resource", "/subscriptions/s/resourcegroups/rg") == {"name": "RG"}


def test_put_replaces_and_kinds_are_separate() -> None:
    store = SqliteStore(":memory:")
    store.put("a", "k", {"v": 1})
    store.put("a", "k", {"v": 2})
    store.put("b", "k", {"v": 3})
    assert store.get("a", "k") == {"v": 2}
    assert store.get("b", "k") == {"v": 3}


def test_missing_document_is_none_and_delete_says_whether_it_existed() -> None:
    store = SqliteStore(":memory:")
    assert store.get("a", "nope") is None
    store.put("a", "k", {})
    assert store.delete("a", "K") is True
    assert store.delete("a", "k") is False


def test_list_by_prefix_in_key_order_treats_like_wildcards_literally() -> None:
    store = SqliteStore(":memory:")
    for key in ("/g/b", "/g/a", "/h/a", "/g_x/a", "/g%/a"):
        store.put("r", key, {"k": key})
    assert [d["k"] for d in store.list("r", "/G/")] == ["/g/a", "/g/b"]
    assert [d["k"] for d in store.list("r", "/g_")] == ["/g_x/a"]
    assert len(store.list("r")) == 5


def test_purge_prefix_removes_every_kind_under_a_prefix() -> None:
    store = SqliteStore(":memory:")
    store.put("resource", "/g/1", {})
    store.put("deployment", "/g/2", {})
    store.put("resource", "/h/1", {})
    assert store.purge_prefix("/G/") == 2
    assert store.keys("resource") == ["/h/1"]


def test_the_base_url_is_stored_as_a_placeholder_and_read_as_the_current_one() -> None:
    old = BaseUrlCodec("https://127.0.0.1:4431")
    stored = old.encode(
        '{"file": "https://127.0.0.1:4431/acct/", "other": "https://127.0.0.1:44310"}'
    )
    assert "4431/" not in stored and BASE_PLACEHOLDER in stored
    assert "https://127.0.0.1:44310" in stored  # another port is not this base
    new = BaseUrlCodec("https://127.0.0.1:5000/")
    assert new.decode(stored) == (
        '{"file": "https://127.0.0.1:5000/acct/", "other": "https://127.0.0.1:44310"}'
    )


def test_documents_round_trip_through_a_store_with_a_base_url() -> None:
    store = SqliteStore(":memory:", base_url="https://127.0.0.1:4431")
    doc = {"properties": {"eventStreamEndpoint": "https://127.0.0.1:4431/logstream/x"}}
    store.put("resource", "k", doc)
    assert store.get("resource", "k") == doc
    assert store.list("resource") == [doc]


def test_without_a_base_url_nothing_is_rewritten() -> None:
    codec = BaseUrlCodec(None)
    assert codec.encode("https://127.0.0.1:1") == "https://127.0.0.1:1"
    assert codec.decode(BASE_PLACEHOLDER) == BASE_PLACEHOLDER
