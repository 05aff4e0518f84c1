"""`/metadata/endpoints`: one cloud object since 2020-06-01, an array of clouds before."""

from __future__ import annotations

from localcloud.metadata import cloud_metadata

BASE = "https://127.0.0.1:8443"


def test_current_api_versions_answer_the_single_cloud_object_az_cloud_register_reads() -> None:
    for version in ("2022-09-01", "2020-06-01", None, "garbage"):
        cloud = cloud_metadata(BASE, version)
        assert isinstance(cloud, dict), version
        assert cloud["resourceManager"] == BASE + "/"
        assert cloud["authentication"]["loginEndpoint"] == BASE
        assert cloud["suffixes"]["storage"] == "127.0.0.1:8443"


def test_2019_05_01_answers_the_array_arm_cloud_metadata_url_readers_expect() -> None:
    clouds = cloud_metadata(BASE, "2019-05-01")
    assert clouds == [cloud_metadata(BASE, "2022-09-01")]
