"""Package loading: folders and zips, strict JSON, hostile archives, limits."""

from __future__ import annotations

import os
import zipfile

import pytest

from runtime.metadata import load_package
from runtime.metadata import validate_app
from runtime.metadata.package_files import Limits

from .fixtures_meta import SAMPLE_APP
from .fixtures_meta import load_details
from .fixtures_meta import one
from .fixtures_meta import sample_files
from .fixtures_meta import write_tree
from .fixtures_meta import write_zip

MANIFEST = '{"name": "tiny", "version": "1.0.0"}'


def test_folder_gives_documents_and_raw_data_files():
    package = load_package(SAMPLE_APP)
    assert package.name == "sample_sales"
    assert "app.json" in package.source and "entities/opportunity.json" in package.source
    assert package.source["entities/opportunity.json"]["name"] == "opportunity"
    assert package.data["data/account.csv"].startswith(b"name,city")
    assert not any(p.startswith("data/") for p in package.source)


@pytest.mark.parametrize("top", ["", "sample_sales/"])
def test_zip_with_or_without_a_top_folder(tmp_path, top):
    archive = write_zip(
        tmp_path / "sample.zip", {top + rel: data for rel, data in sample_files().items()}
    )
    package = load_package(archive)
    assert package.source == load_package(SAMPLE_APP).source
    assert set(package.data) == {"data/account.csv"}
    validate_app(package.source)


def test_malformed_json_reports_file_line_and_column(tmp_path):
    write_tree(
        tmp_path, {"app.json": MANIFEST, "entities/a.json": '{\n  "name": "a",\n  "fields": [}\n'}
    )
    assert load_details(tmp_path) == [
        (
            "entities/a.json: line 3, column 14: Expecting value "
            "(a trailing comma, a missing value, or single quotes instead of double?)"
        )
    ]


def test_every_broken_file_is_reported_at_once(tmp_path):
    write_tree(
        tmp_path,
        {
            "app.json": '{"name": "tiny", "version": "1.0.0",}',
            "entities/a.json": "{'name': 'a'}",
            "entities/b.json": b"\xff\xfe{}",
            "forms/c.json": '{"entity": "a", "entity": "b"}',
            "roles/d.json": '{"name": NaN}',
        },
    )
    found = load_details(tmp_path)
    assert len(found) == 5
    one(found, "app.json: line 1, column 37:", "trailing comma")
    one(
        found,
        "entities/a.json: line 1, column 2: Expecting property name enclosed in double quotes",
    )
    one(found, "entities/b.json: is not UTF-8 text (byte 0xff at offset 0)")
    one(found, "forms/c.json: /entity: duplicate key 'entity'")
    one(found, "roles/d.json:", "NaN is not allowed")


def test_duplicate_keys_deep_inside_are_found_with_their_pointer(tmp_path):
    doc = '{"name": "a", "fields": [{"name": "x", "type": "text"}, {"name": "y", "type": "text", "type": "date"}]}'
    write_tree(tmp_path, {"app.json": MANIFEST, "entities/a.json": doc})
    assert load_details(tmp_path) == [
        "entities/a.json: /fields/1/type: duplicate key 'type' in the same object"
    ]


def test_utf8_with_bom_and_unicode_labels_load(tmp_path):
    doc = '{"name": "a", "label": {"zh": "客户"}, "fields": []}'
    write_tree(tmp_path, {"app.json": MANIFEST, "entities/a.json": b"\xef\xbb\xbf" + doc.encode()})
    assert load_package(tmp_path).source["entities/a.json"]["label"] == {"zh": "客户"}


def test_unknown_and_misplaced_files_are_named(tmp_path):
    write_tree(
        tmp_path,
        {
            "app.json": MANIFEST,
            "notes.txt": "x",
            "scripts/run.py": "x",
            "scripts/more.py": "x",
            "entities/sub/a.json": "{}",
            "entities/a.yaml": "x",
            "data/sub/x.csv": "x",
            "README.md": "fine",
            ".git/config": "ignored",
            ".DS_Store": "ignored",
        },
    )
    found = load_details(tmp_path)
    assert len(found) == 5
    one(found, "notes.txt: unknown file at the top of the package (expected app.json, automations/")
    one(found, "scripts/: unknown folder in the package")
    one(found, "entities/sub/a.json: unexpected file")
    one(found, "entities/a.yaml: unexpected file")
    one(found, "data/sub/x.csv: unexpected file")


def test_missing_manifest_empty_folder_and_missing_path(tmp_path):
    write_tree(tmp_path / "a", {"entities/x.json": "{}"})
    assert load_details(tmp_path / "a") == [
        "app.json: missing: every package needs an app.json at its top"
    ]
    (tmp_path / "empty").mkdir()
    with pytest.raises(Exception, match="is empty"):
        load_package(tmp_path / "empty")
    assert "does not exist" in load_details(tmp_path / "nope")[0]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinks_in_a_folder_are_refused(tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text("{}")
    root = write_tree(tmp_path / "pkg", {"app.json": MANIFEST})
    (root / "entities").mkdir()
    os.symlink(secret, root / "entities" / "a.json")
    os.symlink(tmp_path, root / "roles")
    found = load_details(root)
    one(found, "entities/a.json: is a symbolic link")
    one(found, "roles: is a symbolic link")


def test_zip_path_traversal_absolute_paths_and_links_are_refused(tmp_path):
    archive = write_zip(
        tmp_path / "evil.zip",
        {
            "app.json": MANIFEST,
            "../evil": "x",
            "entities/../../evil.json": "{}",
            "/etc/passwd.json": "x",
            "C:/win.json": "x",
            "entities\\b.json": "{}",
        },
        symlinks={"entities/link.json": "/etc/passwd"},
    )
    found = load_details(archive)
    one(found, "../evil: has '..' in its path")
    one(found, "entities/../../evil.json: has '..' in its path")
    one(found, "/etc/passwd.json: has an absolute path")
    one(found, "C:/win.json: has an absolute path")
    one(found, "entities\\b.json: uses backslashes")
    one(found, "entities/link.json: is a symbolic link")
    assert not (tmp_path.parent / "evil").exists()


def test_zip_bomb_is_refused_by_uncompressed_size(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("app.json", MANIFEST)
        chunk = b"0" * (1024 * 1024)
        with archive.open("data/huge.csv", "w") as member:
            for _ in range(60):
                member.write(chunk)
    assert path.stat().st_size < 1024 * 1024
    assert load_details(path) == ["bomb.zip: is larger than 50 MB uncompressed"]


def test_zip_member_larger_than_its_limit_is_refused(tmp_path):
    archive = write_zip(
        tmp_path / "big.zip", {"app.json": MANIFEST, "entities/a.json": " " * 3 * 1024 * 1024}
    )
    assert load_details(archive) == ["entities/a.json: is larger than 2 MB"]


def test_too_many_files_and_tight_limits(tmp_path):
    members = {"app.json": MANIFEST, **{f"data/{i}.csv": "a" for i in range(10)}}
    archive = write_zip(tmp_path / "many.zip", members)
    with pytest.raises(Exception) as info:
        load_package(archive, Limits(max_files=5))
    assert info.value.details == ["many.zip: has more than 5 files"]
    root = write_tree(tmp_path / "pkg", members)
    with pytest.raises(Exception) as info:
        load_package(root, Limits(max_files=5))
    assert info.value.details == ["pkg: has more than 5 files"]


def test_file_size_limit_in_a_folder(tmp_path):
    root = write_tree(tmp_path / "pkg", {"app.json": MANIFEST, "entities/a.json": "{}" + " " * 200})
    with pytest.raises(Exception) as info:
        load_package(root, Limits(max_file_bytes=100))
    assert info.value.details == ["entities/a.json: is larger than 100 bytes"]


def test_not_a_zip_and_macos_debris(tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip at all")
    assert "is not a readable zip file" in load_details(bad)[0]
    archive = write_zip(
        tmp_path / "mac.zip",
        {"tiny/app.json": MANIFEST, "__MACOSX/tiny/._app.json": "x", "tiny/.DS_Store": "x"},
    )
    assert load_package(archive).source == {"app.json": {"name": "tiny", "version": "1.0.0"}}


def test_duplicate_zip_members_are_refused(tmp_path):
    path = tmp_path / "dup.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("app.json", MANIFEST)
        with pytest.warns(UserWarning):
            archive.writestr("app.json", MANIFEST)
    assert load_details(path) == ["app.json: appears twice in the zip"]
