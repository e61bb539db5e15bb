"""The plugin's tables (amazon_tr_*), one module per capability, one metadata for all."""
from .base import AUTHORIZATION_LIFETIME, EXPIRY_WARNING, Base, Store, UTCDateTime, utcnow

__all__ = ["AUTHORIZATION_LIFETIME", "EXPIRY_WARNING", "Base", "Store", "UTCDateTime", "utcnow"]
