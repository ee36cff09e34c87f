"""Uploads are judged by content: what a person renames is still refused."""

import io
import zipfile

import pytest
from docx import Document

from kernel.errors import ApplicationError, TooLarge
from procurement.uploads import DOCUMENT_KINDS, INVOICE_KINDS, check_upload, sniff


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    Document().save(buffer)
    return buffer.getvalue()


def odt_bytes(mimetype: bytes = b"application/vnd.oasis.opendocument.text") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "pas un document")
    return buffer.getvalue()


def test_pdf_odt_and_docx_are_recognised_by_their_content():
    assert check_upload(b"%PDF-1.7\n%...") == "pdf"
    assert check_upload(odt_bytes()) == "odt"
    assert check_upload(docx_bytes()) == "docx"


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00 an executable renamed offre.pdf",
        b"<html>offre.pdf</html>",
        plain_zip(),
        odt_bytes(b"application/vnd.oasis.opendocument.spreadsheet"),
        b"PK\x03\x04 a truncated zip",
        b"\x89PNG\r\n\x1a\n an image is not a document",
    ],
)
def test_anything_else_is_refused_with_the_accepted_types_named(content):
    with pytest.raises(ApplicationError) as refused:
        check_upload(content, allowed=DOCUMENT_KINDS)
    assert refused.value.code == "file_type"
    assert "PDF, ODT, DOCX" in str(refused.value.message)
    assert "file" in refused.value.extra["fields"]


def test_a_file_over_the_limit_is_refused_before_being_read():
    with pytest.raises(TooLarge) as refused:
        check_upload(b"%PDF-" + b"0" * 2 * 1024 * 1024, max_bytes=1024 * 1024)
    assert "1 Mo" in str(refused.value.message)


def test_an_empty_file_is_refused():
    with pytest.raises(ApplicationError) as refused:
        check_upload(b"", field="attachment")
    assert refused.value.code == "empty_file"
    assert "attachment" in refused.value.extra["fields"]


def test_invoices_may_also_be_photographs():
    assert check_upload(b"\xff\xd8\xff\xe0 jpeg", allowed=INVOICE_KINDS) == "jpeg"
    assert sniff(b"\x89PNG\r\n\x1a\nIHDR") == "png"
    with pytest.raises(ApplicationError):
        check_upload(docx_bytes(), allowed=INVOICE_KINDS)
