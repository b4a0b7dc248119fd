"""Small real files of every allowed type, and disguised ones, built in memory."""

import io
import zipfile


def pdf(text: str = "Guide de l'\\351quipe : t\\351l\\351travail et QVT") -> bytes:
    """A one-page PDF whose text pypdf can read (WinAnsi: \\351 is é)."""
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 144] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
              .encode())
    return out.getvalue()


def open_document(kind: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"),
                         f"application/vnd.oasis.opendocument.{kind}", zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def office(folder: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<document/>")
    return out.getvalue()


ALLOWED = {
    "guide.pdf": (pdf(), "application/pdf"),
    "compte-rendu.odt": (open_document("text"), "application/vnd.oasis.opendocument.text"),
    "tableau.ods": (open_document("spreadsheet"),
                    "application/vnd.oasis.opendocument.spreadsheet"),
    "diaporama.odp": (open_document("presentation"),
                      "application/vnd.oasis.opendocument.presentation"),
    "note.docx": (office("word"),
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "chiffres.xlsx": (office("xl"),
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "atelier.pptx": (office("ppt"),
                     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "photo.png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),
    "photo.jpg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, "image/jpeg"),
    "replay.mp4": (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64, "video/mp4"),
}

DISGUISED = {
    "rapport.pdf": b"<!doctype html><html><script>alert('x')</script></html>",
    "logo.png": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "archive.docx": office("autre"),
    "vide.pdf": b"",
}
