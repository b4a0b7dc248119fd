"""Uploaded files: their type read from their content, stored by hash outside the static folder."""

import hashlib
import io
import os
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

PDF = "application/pdf"
OPEN_DOCUMENT = {
    b"application/vnd.oasis.opendocument.text": "application/vnd.oasis.opendocument.text",
    b"application/vnd.oasis.opendocument.spreadsheet":
        "application/vnd.oasis.opendocument.spreadsheet",
    b"application/vnd.oasis.opendocument.presentation":
        "application/vnd.oasis.opendocument.presentation",
}
OFFICE_OPEN_XML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ALLOWED_LABEL = "PDF, ODT, ODS, ODP, DOCX, XLSX, PPTX, PNG, JPEG ou MP4"


class RefusedFile(Exception):
    """Why an upload is refused, in French."""


@dataclass
class StoredFile:
    hash: str
    name: str
    type: str
    size: int
    text: str


def sniff_type(content: bytes) -> str | None:
    """The MIME type of an allowed file, read from its first bytes (never from its name)."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content[4:8] == b"ftyp":
        return "video/mp4"
    if content.startswith(b"PK\x03\x04"):
        return _zip_document_type(content)
    return None


def _zip_document_type(content: bytes) -> str | None:
    # OpenDocument starts with an uncompressed "mimetype" entry; Office Open XML has
    # [Content_Types].xml and a word/, xl/ or ppt/ folder. Only names are read: nothing is
    # decompressed, so a zip bomb costs nothing here.
    if content[30:38] == b"mimetype":
        declared = content[38:38 + 60].split(b"PK")[0].strip()
        return OPEN_DOCUMENT.get(declared)
    try:
        names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" not in names:
        return None
    return next((kind for folder, kind in OFFICE_OPEN_XML.items()
                 if any(name.startswith(folder) for name in names)), None)


# The extensions of each allowed type, the usual one first: a file is served under one of them.
EXTENSIONS = {
    PDF: ("pdf",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
    "video/mp4": ("mp4",),
    "application/vnd.oasis.opendocument.text": ("odt",),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods",),
    "application/vnd.oasis.opendocument.presentation": ("odp",),
    OFFICE_OPEN_XML["word/"]: ("docx",),
    OFFICE_OPEN_XML["xl/"]: ("xlsx",),
    OFFICE_OPEN_XML["ppt/"]: ("pptx",),
}
# Control, format (bidi overrides and isolates, zero-width marks), separator, private-use,
# surrogate and unassigned characters: none belongs in a name shown and saved by a browser.
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"}
_FOREIGN_EXTENSION = re.compile(r"[A-Za-z][A-Za-z0-9]{0,4}")
MAX_NAME = 200


def served_file_name(name: str, file_type: str) -> str:
    """The name a file is downloaded under: no folders, no control or bidi characters (a
    right-to-left override turns « rapport\u202efdp.exe » into « rapportexe.pdf » on screen),
    and the extension of the type read from its content."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(" " if unicodedata.category(char) in _HIDDEN_CATEGORIES else char
                   for char in name).replace('"', "")
    name = " ".join(name.split()).strip(" .")
    extensions = EXTENSIONS.get(file_type, ())
    stem, dot, extension = name.rpartition(".")
    if dot and extension.lower() in extensions:
        return f"{stem.strip(' .')[:MAX_NAME - len(dot + extension)] or 'document'}.{extension}"
    if dot and _FOREIGN_EXTENSION.fullmatch(extension):
        name = stem.strip(" .")
    if not extensions:
        return name[:MAX_NAME] or "document"
    return f"{name[:MAX_NAME - 1 - len(extensions[0])] or 'document'}.{extensions[0]}"


def store_upload(upload) -> StoredFile:
    """Check an uploaded file and keep it under the hash of its content."""
    megabytes = current_app.config["RESOURCE_MAX_UPLOAD_MB"]
    limit = int(megabytes * 1024 * 1024)
    content = upload.read(limit + 1)
    if not content:
        raise RefusedFile("Le fichier est vide.")
    if len(content) > limit:
        raise RefusedFile(f"Le fichier dépasse {megabytes:g} Mo.")
    file_type = sniff_type(content)
    if file_type is None:
        raise RefusedFile(f"Ce type de fichier n'est pas accepté : déposez un {ALLOWED_LABEL}. "
                          "Le type est lu dans le contenu du fichier, pas dans son nom.")
    digest = hashlib.sha256(content).hexdigest()
    path = stored_path(digest)
    if not path.exists():
        try:
            write_whole(path, content)
        except OSError as error:
            current_app.logger.error("Fichier de ressource non enregistré : %s", error.strerror)
            raise RefusedFile("Le fichier n'a pas pu être enregistré sur le serveur (espace "
                              "disque insuffisant ?) : réessayez plus tard, ou prévenez "
                              "l'administrateur du site.") from error
    return StoredFile(digest, served_file_name(upload.filename or "", file_type), file_type,
                      len(content), pdf_text(content) if file_type == PDF else "")


def write_whole(path: Path, content: bytes, chunk: int = 1024 * 1024) -> None:
    """Write a file whole or not at all: into a temporary file of its own beside it, renamed
    once complete; a failed write (a full disk) removes it, so nothing half-written is left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{secrets.token_hex(4)}.part")
    try:
        with open(temporary, "wb") as out:
            for start in range(0, len(content), chunk):
                out.write(content[start:start + chunk])
            out.flush()
            os.fsync(out.fileno())
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def storage_folder() -> Path:
    return Path(current_app.config["RESOURCE_STORAGE_DIR"] or
                Path(current_app.instance_path) / "ressources")


def stored_path(digest: str) -> Path:
    return storage_folder() / digest[:2] / digest


def pdf_text(content: bytes, max_chars: int = 200_000) -> str:
    """The text of a PDF for the search; a PDF that cannot be read is kept, without text."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content))
        text = []
        for page in reader.pages:
            text.append(page.extract_text() or "")
            if sum(map(len, text)) > max_chars:
                break
    except (PyPdfError, ValueError, KeyError, TypeError):
        current_app.logger.warning("PDF sans texte lisible")
        return ""
    return " ".join(" ".join(text).split())[:max_chars]
