import os

from django.core.wsgi import get_wsgi_application

from kernel.receipt import ReceiptStamp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Each request stamped on arrival, before Django or the database make it wait: an offer's
# receipt is judged on it (kernel.receipt).
application = ReceiptStamp(get_wsgi_application())
