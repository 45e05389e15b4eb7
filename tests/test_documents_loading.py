"""Loading documents: formats, bad input, idempotence and no duplicates over the KB."""

from __future__ import annotations

from pathlib import Path

import pytest

from danvan.graph.embedded import EmbeddedStore
from danvan.loaders.documents.load import load_documents
from danvan.loaders.documents.reading import read_document

TEXT = ("Số 92-BC/BCĐ\n\nBÁO CÁO\nkết quả quý II/2023\n\nThực hiện Kế hoạch số 26-KH/HU, "
        "ngày 22/4/2021 của Ban Thường vụ Huyện ủy Kon Rẫy.\nHội LHPN huyện: mô hình nuôi heo "
        "bản địa tại thôn 10 - xã Đăk Ruồng.\n")


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "bc.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_second_load_changes_nothing(doc: Path) -> None:
    store = EmbeddedStore(":memory:")
    first = load_documents(store, [doc])
    assert first.failed == [] and first.changed > 0
    assert load_documents(store, [doc]).changed == 0


def test_facts_carry_provenance_and_confidence(doc: Path) -> None:
    store = EmbeddedStore(":memory:")
    load_documents(store, [doc])
    village = store.get("village-commune-23488-thon-10")
    assert village is not None and village.props["confidence"] < 1
    source_id, span = village.props["sources"][0].split("#")
    start, end = map(int, span.split("-"))
    assert store.get(source_id).props["text"][start:end] == "thôn 10"


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02binary\xff" * 50])
def test_bad_files_fail_alone_and_write_nothing(tmp_path: Path, doc: Path,
                                                content: bytes) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    store = EmbeddedStore(":memory:")
    report = load_documents(store, [bad, doc])
    assert [f.file for f in report.failed] == [str(bad)]
    assert store.counts()["labels"].get("Source") == 1


@pytest.mark.parametrize("suffix", [".docx", ".pdf"])
def test_corrupt_office_files_are_reported(tmp_path: Path, suffix: str) -> None:
    bad = tmp_path / f"x{suffix}"
    bad.write_bytes(b"PK\x03\x04 not really" if suffix == ".docx" else b"%PDF-1.4 broken")
    report = load_documents(EmbeddedStore(":memory:"), [bad])
    assert (report.failed and "corrupt" in report.failed[0].error) or "no text" in \
        report.failed[0].error


def _cp1258(text: str) -> bytes:
    """Windows-1258 bytes: precomposed base letters, tone marks as combining characters."""
    import unicodedata

    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tones = [c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323"]
            base = "".join(c for c in parts if c not in tones)
            out += unicodedata.normalize("NFC", base).encode("cp1258")
            out += "".join(tones).encode("cp1258")
    return out


def test_encodings_are_detected(tmp_path: Path) -> None:
    for codec in ("cp1258", "utf-16"):
        path = tmp_path / f"{codec}.txt"
        import unicodedata

        # Windows-1258 writes Vietnamese with combining tone marks (NFD-like)
        data = unicodedata.normalize("NFD", TEXT) if codec == "cp1258" else TEXT
        path.write_bytes(_cp1258(data) if codec == "cp1258" else data.encode(codec))
        assert read_document(path).text == TEXT


def test_docx_and_html_are_read(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("Kế hoạch số 26-KH/HU")
    d.save(str(tmp_path / "a.docx"))
    assert "26-KH/HU" in read_document(tmp_path / "a.docx").text
    (tmp_path / "a.html").write_text("<html><nav>Trang chủ</nav><article><p>Xã Đăk Ruồng"
                                     "</p></article><footer>bản quyền</footer></html>", "utf-8")
    text = read_document(tmp_path / "a.html").text
    assert "Đăk Ruồng" in text and "Trang chủ" not in text and "bản quyền" not in text


def test_extract_cli_prints_json_and_exit_code_reports_failure(tmp_path: Path,
                                                                doc: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    from typer.testing import CliRunner

    from danvan.cli import app

    run = CliRunner().invoke(app, ["extract", str(doc), str(empty), "--json", "--no-kb"])
    assert run.exit_code == 1
    assert '"number": "92-BC/BCĐ"' in run.stdout and "empty file" in run.output


def test_corpus_documents_add_no_duplicates_to_the_curated_kb(corpus: Path) -> None:
    """Loading the five corpus documents onto the KB adds no node named like a known one."""
    from rapidfuzz import fuzz

    from danvan.loaders.reference.gazetteer import org_key
    from danvan.loaders.reference.kb import load_kb

    store = EmbeddedStore(":memory:")
    load_kb(store)
    known: dict[str, list[str]] = {}
    for node in store.nodes():
        names = [node.name, *(node.props.get("aliases") or [])]
        known.setdefault(node.label, []).extend(org_key(n) for n in names if n)
    before = {n.id for n in store.nodes()}
    report = load_documents(store, sorted(corpus.glob("*.txt")))
    assert report.failed == []
    new = [n for n in store.nodes() if n.id not in before
           and n.label not in ("Source", "Statistic", "Person")]
    dupes = [(n.label, n.name) for n in new
             if any(k == org_key(n.name) or fuzz.ratio(k, org_key(n.name)) >= 92
                    for k in known.get(n.label, []))]
    print("new nodes:", [(n.label, n.name) for n in new])
    assert dupes == []
