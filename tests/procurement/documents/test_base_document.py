import importlib.util
import io
import subprocess
import sys
import zipfile

from procurement.documents.base import BASE_PATH, open_base

REPO_ROOT = BASE_PATH.parents[2]


def load_make_base():
    path = BASE_PATH.with_name("make_base.py")
    spec = importlib.util.spec_from_file_location("make_base", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_base_document_is_what_make_base_builds():
    # given the script that builds the base document
    make_base = load_make_base()
    # when
    built = make_base.build_base()
    # then: the committed file is up to date with the script, byte for byte
    assert built == BASE_PATH.read_bytes()


def test_make_base_is_reproducible():
    # given
    make_base = load_make_base()
    # when / then
    assert make_base.build_base() == make_base.build_base()


def test_base_document_has_the_styles_the_renderers_name():
    # given / when
    document = open_base()
    # then
    names = {style.name for style in document.styles}
    assert {
        "Title",
        "Subtitle",
        "Heading 1",
        "Heading 2",
        "List Bullet",
        "Table Grid",
        "Table Text",
        "Table Number",
        "Table Heading",
        "Mention",
        "Header",
        "Footer",
    } <= names
    assert len(document.element.body) == 1  # only the section properties


def test_base_document_is_lean():
    # given / when
    with zipfile.ZipFile(io.BytesIO(BASE_PATH.read_bytes())) as archive:
        members = set(archive.namelist())
    # then: no thumbnail of another document, no duplicate Word 2010 styles
    assert "docProps/thumbnail.jpeg" not in members
    assert "word/stylesWithEffects.xml" not in members
    assert "word/styles.xml" in members


def test_renderers_import_without_django():
    # given a fresh interpreter (this one has Django loaded by the project's conftest)
    code = (
        "import sys; import procurement.documents; "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    # when
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, check=False
    )
    # then
    assert result.returncode == 0, result.stderr
