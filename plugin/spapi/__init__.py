"""The Selling Partner API client: Login with Amazon, rate limits, errors, operations.

Nothing here imports Flask or the database; services wrap it.
"""
from .client import (
    JSON_FEED_CONTENT_TYPE,
    JSON_LISTINGS_FEED,
    MARKETPLACE_ID_TR,
    SPAPI_ENDPOINT_EU,
    SPAPI_SANDBOX_ENDPOINT_EU,
    ClientStats,
    SPAPIClient,
    format_datetime,
    quote_segment,
)
from .errors import (
    AuthorizationRevokedError,
    ForbiddenError,
    InvalidGrantError,
    InvalidInputError,
    LWAError,
    MalformedResponseError,
    NetworkError,
    NotFoundError,
    ServerError,
    SPAPIError,
    ThrottledError,
    UnauthorizedError,
)
from .lwa import LWA_TOKEN_URL, LWAClient
from .ratelimit import USAGE_PLANS, RateLimiter

__all__ = [
    "AuthorizationRevokedError",
    "ClientStats",
    "ForbiddenError",
    "InvalidGrantError",
    "InvalidInputError",
    "JSON_FEED_CONTENT_TYPE",
    "JSON_LISTINGS_FEED",
    "LWAClient",
    "LWAError",
    "LWA_TOKEN_URL",
    "MARKETPLACE_ID_TR",
    "MalformedResponseError",
    "NetworkError",
    "NotFoundError",
    "RateLimiter",
    "SPAPIClient",
    "SPAPIError",
    "SPAPI_ENDPOINT_EU",
    "SPAPI_SANDBOX_ENDPOINT_EU",
    "ServerError",
    "ThrottledError",
    "USAGE_PLANS",
    "UnauthorizedError",
    "format_datetime",
    "quote_segment",
]
