"""Where documents and uploads are kept is chosen by the environment: the local disk by
default, an S3-compatible bucket with STORAGE_BACKEND=s3 — and every file the service
keeps (the generated pieces, the proposals' attachments, the invoices) goes through it.
No network is needed: a bucket's client is configured, and signs its URLs, offline."""

import json

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, default_storage
from storages.backends.s3 import S3Storage

from config.storage import default_storage as storage_from_env
from procurement.models import Expense, ProposalAttachment, TenderDocument
from tests.config.helpers import production_env, python

S3_ENV = {
    "STORAGE_BACKEND": "s3",
    "S3_BUCKET": "communs-documents",
    "S3_ENDPOINT_URL": "https://s3.fr-par.example.net",
    "S3_REGION": "fr-par",
    "S3_ACCESS_KEY_ID": "AKIAEXAMPLE",
    "S3_SECRET_ACCESS_KEY": "not-a-real-secret",
    "S3_PREFIX": "/mel/",
    "S3_ADDRESSING_STYLE": "path",
}
FILE_FIELDS = [
    (TenderDocument, "file"),
    (ProposalAttachment, "file"),
    (Expense, "invoice"),
]


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("STORAGE_BACKEND", *S3_ENV):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_files_stay_on_the_local_disk_by_default(clean_env):
    assert storage_from_env(environ.Env()) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }


def test_s3_storage_is_assembled_from_the_environment(clean_env):
    # given an operator's S3 variables
    for name, value in S3_ENV.items():
        clean_env.setenv(name, value)

    # when the settings read them
    config = storage_from_env(environ.Env())

    # then django-storages gets a private bucket at that endpoint, never overwriting
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    assert config["OPTIONS"] == {
        "bucket_name": "communs-documents",
        "endpoint_url": "https://s3.fr-par.example.net",
        "region_name": "fr-par",
        "access_key": "AKIAEXAMPLE",
        "secret_key": "not-a-real-secret",
        "location": "mel",
        "addressing_style": "path",
        "signature_version": "s3v4",
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }


def test_s3_without_a_bucket_or_an_unknown_backend_is_refused(clean_env):
    clean_env.setenv("STORAGE_BACKEND", "s3")
    with pytest.raises(ImproperlyConfigured, match="S3_BUCKET"):
        storage_from_env(environ.Env())

    clean_env.setenv("STORAGE_BACKEND", "ftp")
    with pytest.raises(ImproperlyConfigured, match="'local' or 's3'"):
        storage_from_env(environ.Env())


def test_every_stored_file_goes_through_the_configured_storage(clean_env, settings):
    # given the S3 storage configured
    for name, value in S3_ENV.items():
        clean_env.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "default": storage_from_env(environ.Env())}

    # then Django's default storage is that bucket, as is each file field's
    assert isinstance(default_storage, S3Storage)
    for model, field in FILE_FIELDS:
        storage = model._meta.get_field(field).storage
        assert isinstance(storage, S3Storage), (model, field)
    # and a document's address is signed for that bucket, under the prefix (offline)
    url = default_storage.url("documents/MEL-AAC-2026-001/rc-v1.docx")
    assert url.startswith("https://s3.fr-par.example.net/communs-documents/mel/documents/")
    assert "X-Amz-Signature=" in url

    # and back on the disk when the setting goes
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    assert isinstance(TenderDocument._meta.get_field("file").storage, FileSystemStorage)


def test_the_settings_module_reads_the_s3_variables():
    # given a production process started with the S3 variables
    env = production_env(**S3_ENV)
    code = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import default_storage
print(json.dumps([settings.STORAGES["default"]["BACKEND"], default_storage.bucket_name,
                  default_storage.location, default_storage.endpoint_url]))
"""

    # when its settings load
    result = python(code, env=env)

    # then its default storage is the bucket
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "storages.backends.s3.S3Storage",
        "communs-documents",
        "mel",
        "https://s3.fr-par.example.net",
    ]
