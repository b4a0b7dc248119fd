"""A file waiting between its upload and its import: kept in the instance folder under a random
name for a day, with what the admin chose for its columns."""

import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

KEPT_SECONDS = 24 * 3600
TOKEN_LENGTH = 32


@dataclass
class Upload:
    token: str
    file_name: str
    uploaded_by: str
    content: bytes
    # Normalised header → field, as the admin mapped them on the preview.
    chosen: dict[str, str] = field(default_factory=dict)


def _folder() -> Path:
    folder = Path(current_app.config.get("IMPORT_FOLDER") or
                  Path(current_app.instance_path) / "imports")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def keep(file_name: str, content: bytes, by: str) -> str:
    """Store an uploaded file until it is imported (or for a day); its token names it."""
    _forget_old()
    token = secrets.token_hex(TOKEN_LENGTH // 2)
    (_folder() / f"{token}.bin").write_bytes(content)
    _write_meta(token, {"file_name": file_name, "uploaded_by": by, "chosen": {}})
    return token


def find(token: str, by: str) -> Upload | None:
    """The upload of this admin under this token; None for anyone else's, or an unknown one."""
    if len(token) != TOKEN_LENGTH or not all(c in "0123456789abcdef" for c in token):
        return None
    try:
        meta = json.loads((_folder() / f"{token}.json").read_text())
        content = (_folder() / f"{token}.bin").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("uploaded_by") != by:
        return None
    return Upload(token, meta["file_name"], by, content, meta.get("chosen", {}))


def choose_columns(upload: Upload, chosen: dict[str, str]) -> None:
    upload.chosen = chosen
    _write_meta(upload.token, {"file_name": upload.file_name, "uploaded_by": upload.uploaded_by,
                               "chosen": chosen})


def discard(upload: Upload) -> None:
    for suffix in (".bin", ".json"):
        (_folder() / f"{upload.token}{suffix}").unlink(missing_ok=True)


def _write_meta(token: str, meta: dict) -> None:
    (_folder() / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False))


def _forget_old() -> None:
    limit = time.time() - KEPT_SECONDS
    for path in _folder().glob("*.*"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
