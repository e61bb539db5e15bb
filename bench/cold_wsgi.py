"""The demo shop with the plugin's warm-up switched off: the "before" of bench/load.py's first-request figure.

Served as ``cold_wsgi:app`` (the bench folder on the path). Everything else is ``wsgi:app``.
"""
import flask_amazon_tr.warmup as warmup

warmup.warm_up = lambda app, db: {}  # AmazonTR.warm_up imports it at call time: this is what runs

from wsgi import app  # noqa: E402,F401
