"""Real files for the demo library: small PDFs written with pypdf, stored as an upload is.

A PDF of text: a title, then paragraphs, on A4 pages in Helvetica (WinAnsi encoding, which has
the French letters, « », œ and the typographic apostrophe). The same text gives the same bytes,
so the same file: a re-run stores nothing twice."""

import hashlib
import io
import textwrap

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from network.resources.files import (
    PDF,
    StoredFile,
    pdf_text,
    served_file_name,
    stored_path,
    write_whole,
)

A4 = (595, 842)
MARGIN = 56
# (font, size, characters a line, leading) of the title and of the text.
TITLE = ("/F2", 15, 62, 20)
BODY = ("/F1", 10, 96, 14)
AUTHOR = "Réseau régional des intervenants QVT en Occitanie (démonstration)"


def _font(name: str) -> DictionaryObject:
    return DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject(name),
                             NameObject("/Encoding"): NameObject("/WinAnsiEncoding")})


def _literal(text: str) -> bytes:
    """A PDF string: WinAnsi bytes, with its delimiters and backslashes escaped."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _wrap(text: str, width: int) -> list[str]:
    # Lines break between words only: « médico-social » stays whole, so the text reads back.
    return textwrap.wrap(text, width, break_on_hyphens=False)


def pdf_document(title: str, paragraphs: list[str]) -> bytes:
    """A PDF of a title and paragraphs, as many pages as the text needs."""
    lines = [(TITLE, line) for line in _wrap(title, TITLE[2])] + [(BODY, "")]
    for paragraph in paragraphs:
        lines += [(BODY, line) for line in _wrap(paragraph, BODY[2])] + [(BODY, "")]
    writer = PdfWriter()
    resources = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): _font("/Helvetica"), NameObject("/F2"): _font("/Helvetica-Bold")})})
    height = A4[1] - 2 * MARGIN
    page_lines: list = []
    used = 0
    pages = []
    for style, line in lines:
        if used + style[3] > height:
            pages.append(page_lines)
            page_lines, used = [], 0
        page_lines.append((style, line))
        used += style[3]
    pages.append(page_lines)
    for content in pages:
        operations = [b"BT", b"%d %d Td" % (MARGIN, A4[1] - MARGIN)]
        for (font, size, _, leading), line in content:
            operations.append(b"%s %d Tf 0 -%d Td %s Tj" % (font.encode(), size, leading,
                                                            _literal(line)))
        operations.append(b"ET")
        stream = DecodedStreamObject()
        stream.set_data(b"\n".join(operations))
        page = writer.add_blank_page(*A4)
        page[NameObject("/Resources")] = resources
        page.replace_contents(stream)
        page.compress_content_streams()
    writer.add_metadata({"/Title": title, "/Author": AUTHOR})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def store_pdf(title: str, paragraphs: list[str], file_name: str | None = None,
              extract_text: bool = False) -> StoredFile:
    """Write the PDF under the hash of its content, as an upload is, unless already there; its
    text is read back as an upload's is when asked (the bulk demo knows it already)."""
    content = pdf_document(title, paragraphs)
    digest = hashlib.sha256(content).hexdigest()
    path = stored_path(digest)
    if not path.exists():
        write_whole(path, content)
    return StoredFile(digest, served_file_name(file_name or title[:120], PDF), PDF, len(content),
                      pdf_text(content) if extract_text else "")
