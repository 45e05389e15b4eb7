"""Read a document file into NFC text: .txt, .docx, .pdf (text layer) and saved HTML pages.

Every offset danvan reports for a document (mentions, ``sources`` spans) is a
character offset into the string :func:`read_document` returns, i.e. the
file's text **after NFC normalisation**.

Libraries do the format work (python-docx, pypdf, stdlib ``html.parser``);
written here by hand, because no library does it for Vietnamese files, are the
encoding guesses (UTF-8, UTF-16, then Windows-1258) and the boilerplate filter
for pages saved from news sites.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
>>> _ = p.write_bytes("Đăk Tân".encode("cp1258"))
>>> read_document(p).text
'Đăk Tân'
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from danvan.errors import LoadError
from danvan.text import nfc

__all__ = ["MAX_BYTES", "SUFFIXES", "Document", "decode_bytes", "iter_paths", "read_document"]

SUFFIXES = (".txt", ".text", ".md", ".docx", ".pdf", ".html", ".htm")
#: Files larger than this are refused (administrative documents are far smaller);
#: override with $DANVAN_MAX_DOCUMENT_MB.
MAX_BYTES = int(float(os.environ.get("DANVAN_MAX_DOCUMENT_MB", "20")) * 1024 * 1024)


@dataclass(frozen=True)
class Document:
    """A file's text (NFC) and what was learnt while reading it."""

    path: Path
    text: str
    format: str
    encoding: str | None = None
    title: str | None = None


def iter_paths(paths: list[Path]) -> list[Path]:
    """Files to read: the given files, and the readable files under given folders.

    A path that does not exist is kept, so reading it reports the error.
    """
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*")
                              if p.is_file() and p.suffix.lower() in SUFFIXES
                              and not p.name.startswith(".")))
        else:
            out.append(path)
    return out


def _printable_share(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for c in text[:20000] if (ord(c) < 32 and c not in "\t\n\r\f") or c == "\ufffd")
    return 1.0 - bad / min(len(text), 20000)


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Decode text bytes: UTF-8 (BOM or not), UTF-16 (BOM or NUL pattern), else cp1258.

    Returns (NFC text, encoding). Raises LoadError for binary data.

    >>> decode_bytes("thôn 4".encode("utf-16"))
    ('thôn 4', 'utf-16')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return nfc(data[3:].decode("utf-8", errors="replace")), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return nfc(data.decode("utf-16")), "utf-16"
    sample = data[:4000]
    if sample and sample.count(0) > len(sample) // 4:
        # UTF-16 without BOM has a NUL in every other byte of ASCII text.
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        codec = "utf-16-le" if odd > even else "utf-16-be"
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            raise LoadError(name, None, "binary file, not text") from None
        if _printable_share(text) > 0.95:
            return nfc(text), codec
        raise LoadError(name, None, "binary file, not text")
    if b"\x00" in sample:
        raise LoadError(name, None, "binary file, not text")
    try:
        return nfc(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        raise LoadError(name, None, "not UTF-8, UTF-16 or Windows-1258 text") from None
    if _printable_share(text) < 0.95:
        raise LoadError(name, None, "binary file, not text")
    return nfc(text), "cp1258"


class _PageText(HTMLParser):
    """Visible text of an HTML page minus navigation, scripts and page furniture."""

    SKIP = frozenset({"script", "style", "noscript", "nav", "header", "footer", "aside", "form",
            "button", "select", "svg", "iframe", "template", "head"})
    BLOCK = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
             "section", "article", "blockquote", "table", "ul", "ol", "figcaption"})
    NOISE = re.compile(r"(menu|nav|footer|header|sidebar|share|social|comment|related|advert"
                       r"|banner|breadcrumb|tag|login|search|cookie)", re.I)

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.article: list[str] | None = None
        self.skip_depth = 0
        self.stack: list[tuple[str, bool, bool]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "img", "hr", "meta", "link", "input"):
            if tag == "br":
                self._emit("\n")
            return
        marker = " ".join(v or "" for k, v in attrs if k in ("class", "id", "role"))
        skip = tag in self.SKIP or bool(marker and self.NOISE.search(marker)
                                        and tag in ("div", "ul", "section", "span", "p"))
        article = tag == "article"
        self.stack.append((tag, skip, article))
        if skip:
            self.skip_depth += 1
        if article and self.article is None:
            self.article = []
        if tag == "title":
            self._in_title = True
        if tag in self.BLOCK:
            self._emit("\n")

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            name, skip, _ = self.stack.pop()
            if skip:
                self.skip_depth -= 1
            if name == tag:
                break
        if tag == "title":
            self._in_title = False
        if tag in self.BLOCK:
            self._emit("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        if self.skip_depth == 0:
            self._emit(data)

    def _emit(self, text: str) -> None:
        self.parts.append(text)
        if self.article is not None and any(a for _, _, a in self.stack):
            self.article.append(text)

    def text(self) -> str:
        chosen = self.article if self.article and len("".join(self.article)) > 200 else self.parts
        raw = "".join(chosen)
        lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in raw.splitlines()]
        out: list[str] = []
        for line in lines:
            if line or (out and out[-1]):
                out.append(line)
        return "\n".join(out).strip()


def _read_html(data: bytes, name: str) -> tuple[str, str | None, str]:
    head = data[:3000].decode("ascii", errors="ignore").lower()
    match = re.search(r"charset=[\"']?([a-z0-9_-]+)", head)
    if match:
        try:
            raw, encoding = data.decode(match.group(1)), match.group(1)
        except (LookupError, UnicodeDecodeError):
            raw, encoding = decode_bytes(data, name)
    else:
        raw, encoding = decode_bytes(data, name)
    parser = _PageText()
    parser.feed(raw)
    parser.close()
    return nfc(parser.text()), nfc(parser.title.strip()) or None, encoding


def _read_docx(path: Path) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        doc = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise LoadError(str(path), None, f"not a readable .docx file ({exc})") from None
    except Exception as exc:  # zipfile.BadZipFile, lxml errors
        raise LoadError(str(path), None, f"corrupt .docx file ({type(exc).__name__})") from None
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:  # tables come out flattened, one row per line
        for row in table.rows:
            parts.append(" | ".join(cell.text.strip() for cell in row.cells))
    return nfc("\n".join(parts))


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # pypdf raises many types for broken files
        raise LoadError(str(path), None, f"corrupt .pdf file ({type(exc).__name__})") from None
    return nfc("\n".join(pages))


def read_document(path: Path) -> Document:
    """Read one file into a :class:`Document`; LoadError with a clear reason otherwise."""
    name = str(path)
    if not path.is_file():
        raise LoadError(name, None, "no such file")
    size = path.stat().st_size
    if size == 0:
        raise LoadError(name, None, "empty file")
    if size > MAX_BYTES:
        raise LoadError(name, None, f"file too large ({size / 1048576:.1f} MB; the limit is "
                        f"{MAX_BYTES / 1048576:.0f} MB, set DANVAN_MAX_DOCUMENT_MB to change it)")
    suffix = path.suffix.lower()
    title = None
    encoding = None
    if suffix == ".docx":
        text, fmt = _read_docx(path), "docx"
    elif suffix == ".pdf":
        text, fmt = _read_pdf(path), "pdf"
    elif suffix in (".html", ".htm"):
        text, title, encoding = _read_html(path.read_bytes(), name)
        fmt = "html"
    else:
        data = path.read_bytes()
        if data[:5] == b"%PDF-" or data[:4] == b"PK\x03\x04":
            raise LoadError(name, None, "binary file (PDF or ZIP) with a text suffix")
        text, encoding = decode_bytes(data, name)
        fmt = "text"
    if not text.strip():
        raise LoadError(name, None, "no text in the file" + (" (scanned PDF without a text "
                                                             "layer?)" if fmt == "pdf" else ""))
    return Document(path=path, text=text, format=fmt, encoding=encoding, title=title)
