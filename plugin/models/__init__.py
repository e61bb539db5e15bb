"""The plugin's tables (amazon_tr_*), one module per capability, one metadata for all."""
from .authorization import OAuthState
from .base import AUTHORIZATION_LIFETIME, EXPIRY_WARNING, Base, Money, Store, UTCDateTime, utcnow
from .listings import AmazonListing, ListingFeed, ListingLink, ListingSettings
from .orders import ImportedOrder, OrderImportSettings
from .scheduler import SchedulerClaim, SchedulerLeader, SchedulerStore
from .shipments import ShipmentOrder, ShipmentPackage, ShipmentSettings
from .sync import StoreLease, SyncRun

__all__ = [
    "AUTHORIZATION_LIFETIME", "AmazonListing", "EXPIRY_WARNING", "Base", "ImportedOrder", "ListingFeed", "ListingLink",
    "ListingSettings", "Money", "OAuthState", "OrderImportSettings", "SchedulerClaim", "SchedulerLeader",
    "SchedulerStore", "ShipmentOrder", "ShipmentPackage", "ShipmentSettings", "Store", "StoreLease", "SyncRun",
    "UTCDateTime", "utcnow",
]
