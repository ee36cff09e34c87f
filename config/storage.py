"""Where files live.

- **Uploads and generated documents** (the ``.docx`` pieces, proposals' attachments,
  invoices) are ``FileField``s without a storage of their own, so they go through
  Django's default storage, chosen here from the environment: the local disk under
  ``MEDIA_ROOT`` by default, or an S3-compatible bucket (``STORAGE_BACKEND=s3``, through
  django-storages) when several machines must share them.
- **Static files** are collected by ``collectstatic`` and served by WhiteNoise, with
  hashed names and compressed copies (``StaticStorage``).
"""

from django.core.exceptions import ImproperlyConfigured
from whitenoise.storage import CompressedManifestStaticFilesStorage

LOCAL = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
S3 = "storages.backends.s3.S3Storage"

# The static files whose bytes a template pins with a Subresource Integrity hash: the
# DSFR's stylesheets and scripts (django-dsfr's ``dsfr_css``/``dsfr_js``).
PINNED_PREFIXES = ("dsfr/",)


def default_storage(env) -> dict:
    """The ``STORAGES["default"]`` entry the environment asks for (``env``: a
    django-environ ``Env``).

    ``STORAGE_BACKEND=local`` (the default): files on the disk under ``MEDIA_ROOT``.
    ``STORAGE_BACKEND=s3``: an S3-compatible bucket, ``S3_BUCKET`` (required),
    ``S3_ENDPOINT_URL`` (for MinIO, Scaleway, OVH…; empty for AWS), ``S3_REGION``,
    ``S3_ACCESS_KEY_ID`` and ``S3_SECRET_ACCESS_KEY`` (empty: boto3's own chain — the
    ``AWS_*`` variables, an instance role), ``S3_PREFIX`` (a folder in the bucket),
    ``S3_ADDRESSING_STYLE`` (``path`` for most self-hosted servers).

    The bucket stays private: files are read back by the service (downloads go through
    its views, which check who may read them), never linked to directly. A name already
    taken gets a new one rather than overwriting, as on disk.
    """
    backend = env.str("STORAGE_BACKEND", default="local").strip().lower()
    if backend in ("", "local", "disk"):
        return dict(LOCAL)
    if backend != "s3":
        raise ImproperlyConfigured(f"STORAGE_BACKEND={backend!r}: expected 'local' or 's3'.")
    bucket = env.str("S3_BUCKET", default="")
    if not bucket:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs S3_BUCKET.")
    options = {
        "bucket_name": bucket,
        "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("S3_REGION", default="") or None,
        "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
        "location": env.str("S3_PREFIX", default="").strip("/"),
        "addressing_style": env.str("S3_ADDRESSING_STYLE", default="") or None,
        "signature_version": "s3v4",
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    return {"BACKEND": S3, "OPTIONS": options}


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage (hashed names, gzip copies, a manifest), with two
    exceptions to its rewriting of the references inside stylesheets and scripts:

    - the files a template pins by integrity hash keep their bytes: rewriting the
      ``url()`` of the DSFR's stylesheet to hashed names would change it, and the
      browser would then refuse it. Its fonts and icons are served under their plain
      names, which ``collectstatic`` keeps beside the hashed ones;
    - a reference to a file that a package does not ship (viewflow's fonts stylesheet
      names some) is left as written rather than failing the whole collection.
    """

    def url_converter(self, name, hashed_files, template=None):
        if name.startswith(PINNED_PREFIXES):
            return lambda match: match.group(0)
        convert = super().url_converter(name, hashed_files, template)

        def tolerant(match):
            try:
                return convert(match)
            except ValueError:
                return match.group(0)

        return tolerant
