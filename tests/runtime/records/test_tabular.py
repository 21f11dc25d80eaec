"""The sheet reader refuses XLSX files that would expand into a memory bomb, before parsing any XML."""

from __future__ import annotations

import zipfile

import pytest
from openpyxl import Workbook

from builder.sheet_formats import xlsx_formats
from runtime.errors import BadInput
from runtime.records.tabular import open_sheet


def _workbook(path):
    book = Workbook()
    book.active.append(["name", "amount"])
    book.active.append(["Acme", 12])
    book.save(path)
    return path


def test_a_normal_xlsx_opens(tmp_path):
    sheet = open_sheet(_workbook(tmp_path / "ok.xlsx"))
    assert sheet.header == ["name", "amount"]
    assert list(sheet.rows) == [(2, ["Acme", 12])]


def test_a_zip_bomb_is_refused_before_parsing(tmp_path):
    path = _workbook(tmp_path / "bomb.xlsx")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.xml", b"\0" * (24 << 20))  # 24 MiB of zeros packs into ~24 KiB
    with pytest.raises(BadInput, match="zip bomb"):
        open_sheet(path)
    assert xlsx_formats(path) == {}  # the builder's format sniffing refuses it too, quietly


def test_a_file_that_is_not_a_zip_is_a_clear_error(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(BadInput, match="not a readable XLSX"):
        open_sheet(path)
