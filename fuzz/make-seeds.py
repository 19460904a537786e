#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (fuzz/seeds/TARGET/) from `relief sample` files.

Run from the repository root with a built relief binary and LibreOffice (soffice) on the PATH:

    python3 fuzz/make-seeds.py target/debug/relief

Each seed is small on purpose: the sample's sheets cut to their first rows, so libFuzzer
spends its time mutating structure, not copying sessions. The ods and xls seeds are the same
cut workbooks converted by LibreOffice; the xlsb seed is written by the ingest tests' xlsb
writer (crates/ingest/tests/common/xlsb.rs) and is kept as committed, not rebuilt here.
"""

import csv
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

ROWS = 12
XLSX_PARTS = [
    "xl/worksheets/sheet1.xml",
    "xl/sharedStrings.xml",
    "xl/styles.xml",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "[Content_Types].xml",
    "_rels/.rels",
    "xl/worksheets/sheet2.xml",
]


def cut_sheet_xml(xml: str) -> str:
    """Keeps the first ROWS rows of a worksheet's sheetData."""
    rows = re.findall(r"<row\b.*?</row>|<row\b[^>]*/>", xml, flags=re.S)
    start = xml.index("<sheetData")
    start = xml.index(">", start) + 1
    end = xml.index("</sheetData>")
    return xml[:start] + "".join(rows[:ROWS]) + xml[end:]


def cut_xlsx(src: str, dst: str) -> dict:
    """Writes a copy of an xlsx with every sheet cut to its first rows; returns its parts."""
    parts = {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name.startswith("xl/worksheets/sheet"):
                data = cut_sheet_xml(data.decode("utf-8")).encode("utf-8")
            parts[name] = data
            zout.writestr(name, data)
    return parts


def convert(path: str, to: str, outdir: str) -> str:
    subprocess.run(
        ["soffice", "--headless", "--norestore", "--convert-to", to, "--outdir", outdir, path],
        check=True,
        capture_output=True,
        env={**os.environ, "HOME": outdir},
    )
    stem = os.path.splitext(os.path.basename(path))[0]
    return os.path.join(outdir, f"{stem}.{to.split(':')[0]}")


def write(target: str, name: str, data: bytes) -> None:
    folder = os.path.join("fuzz", "seeds", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def main() -> None:
    relief = sys.argv[1] if len(sys.argv) > 1 else "target/debug/relief"
    tmp = tempfile.mkdtemp()
    sample = os.path.join(tmp, "sample")
    subprocess.run([relief, "sample", "--out", sample], check=True, capture_output=True)

    # csv: the sample's CSV export (semicolons, BOM, decimal commas), cut.
    with open(os.path.join(sample, "riverside-studio.csv"), "rb") as f:
        lines = f.read().split(b"\n")
    write("csv", "riverside-studio.csv", b"\n".join(lines[: ROWS + 1]) + b"\n")

    words = set()
    for name in sorted(os.listdir(sample)):
        if not name.endswith(".xlsx"):
            continue
        stem = name[: -len(".xlsx")]
        cut = os.path.join(tmp, name)
        parts = cut_xlsx(os.path.join(sample, name), cut)
        joined = b"\0".join(parts.get(p, b"") for p in XLSX_PARTS).rstrip(b"\0")
        write("xlsx", f"{stem}.parts", joined)
        write("xls", f"{stem}.xls", open(convert(cut, "xls", tmp), "rb").read())
        ods = convert(cut, "ods", tmp)
        with zipfile.ZipFile(ods) as z:
            content = z.read("content.xml")
            manifest = z.read("META-INF/manifest.xml")
        write("ods", f"{stem}.parts", content + b"\0" + manifest)
        # The cells of the cut sheets, one per line, for the vocabulary target; and the first
        # sheet as comma-separated text for the csv target.
        text = open(convert(cut, "csv", tmp), "rb").read()
        write("csv", f"{stem}.csv", text)
        for row in csv.reader(io.StringIO(text.decode("utf-8", "replace"))):
            words.update(c.strip() for c in row if c.strip())
    write("vocabulary", "cells.txt", "\n".join(sorted(words)).encode("utf-8"))

    write("config", "template.toml", open("crates/core/src/relief.example.toml", "rb").read())
    write(
        "config",
        "additions.toml",
        b'[headers]\ndate = ["Termin"]\n[regions]\nlower_back = ["sacrum"]\nneck = ["knot"]\n'
        b'[pressure]\nfirm = ["kraeftig"]\n[dates]\norder = "day-first"\n[input]\nmax_rows = 1000\n',
    )
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
