"""Uploaded files are judged by their content, never by their name or declared type.

One checker for every upload of the service (revised tender pieces, proposals'
attachments, invoices): a file renamed to ``.pdf`` is still refused, and the size limit
is checked before anything else is read.
"""

import io
import zipfile

from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, NotFound, TooLarge

MAX_UPLOAD_BYTES = 20 * 1024 * 1024

PDF = "pdf"
ODT = "odt"
DOCX = "docx"
PNG = "png"
JPEG = "jpeg"

# What a person is told to upload, per kind.
LABELS = {PDF: "PDF", ODT: "ODT", DOCX: "DOCX", PNG: "PNG", JPEG: "JPEG"}
MIME_TYPES = {
    PDF: "application/pdf",
    ODT: "application/vnd.oasis.opendocument.text",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    PNG: "image/png",
    JPEG: "image/jpeg",
}
DOCUMENT_KINDS = frozenset({PDF, ODT, DOCX})
INVOICE_KINDS = frozenset({PDF, PNG, JPEG})


def _zip_kind(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype").strip()
                if mimetype == MIME_TYPES[ODT].encode() and "content.xml" in names:
                    return ODT
                return None
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, RuntimeError):
        return None
    return None


def sniff(content: bytes) -> str | None:
    """The kind of a file from its first bytes (and, for zips, their table of contents)."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        return _zip_kind(content)
    return None


def check_upload(
    content: bytes,
    *,
    allowed: frozenset[str] = DOCUMENT_KINDS,
    max_bytes: int = MAX_UPLOAD_BYTES,
    field: str = "file",
) -> str:
    """Return the kind of an acceptable file; refuse a too large (413) or wrong one (400)."""
    if len(content) > max_bytes:
        megabytes = max_bytes // (1024 * 1024)
        raise TooLarge(
            _("Le fichier dépasse %(size)s Mo.") % {"size": megabytes},
            code="too_large",
            extra={"fields": {field: [_("Le fichier dépasse %(size)s Mo.") % {"size": megabytes}]}},
        )
    if not content:
        raise ApplicationError(
            _("Le fichier est vide."),
            code="empty_file",
            extra={"fields": {field: [_("Le fichier est vide.")]}},
        )
    kind = sniff(content)
    if kind not in allowed:
        accepted = ", ".join(LABELS[k] for k in sorted(allowed, key=list(LABELS).index))
        message = _("Ce fichier n'est pas d'un type accepté (%(accepted)s), quel que soit son nom.")
        message = message % {"accepted": accepted}
        raise ApplicationError(message, code="file_type", extra={"fields": {field: [message]}})
    return kind


def open_stored(fieldfile):
    """Open a stored file for reading, or 404 when it is gone from the storage (a disk
    restored without its media, a file removed by hand) rather than a 500."""
    try:
        return fieldfile.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise NotFound(
            _("Ce fichier n'est plus disponible sur le serveur."), code="file_missing"
        ) from None
