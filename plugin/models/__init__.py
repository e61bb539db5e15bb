"""The plugin's tables (amazon_tr_*), one module per capability, one metadata for all."""
from .authorization import OAuthState
from .base import AUTHORIZATION_LIFETIME, EXPIRY_WARNING, Base, Store, UTCDateTime, utcnow
from .sync import StoreLease, SyncRun
from .orders import ImportedOrder, OrderImportSettings  # noqa: E402,F401

__all__ = [
    "AUTHORIZATION_LIFETIME", "EXPIRY_WARNING", "Base", "OAuthState", "Store", "StoreLease", "SyncRun",
    "UTCDateTime", "utcnow",
]
from .listings import ListingFeed, ListingLink, ListingSettings  # noqa: E402,F401
from .scheduler import SchedulerClaim, SchedulerLeader, SchedulerStore  # noqa: E402,F401
from .shipments import ShipmentOrder, ShipmentPackage, ShipmentSettings  # noqa: E402,F401
