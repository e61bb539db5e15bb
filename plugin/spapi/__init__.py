"""The Selling Partner API client: Login with Amazon, rate limits, errors, operations.

Nothing here imports Flask or the database; services wrap it.
"""
from .client import SPAPIClient
from .constants import (
    JSON_FEED_CONTENT_TYPE,
    JSON_LISTINGS_FEED,
    LWA_TOKEN_URL,
    MARKETPLACE_ID_TR,
    SPAPI_ENDPOINT_EU,
    SPAPI_SANDBOX_ENDPOINT_EU,
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
from .formats import format_datetime, quote_segment
from .lwa import LWAClient
from .ratelimit import RateLimiter, TokenBucket
from .transport import ClientStats
from .usage_plans import USAGE_PLANS, parse_usage_plan

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
    "TokenBucket",
    "USAGE_PLANS",
    "UnauthorizedError",
    "format_datetime",
    "parse_usage_plan",
    "quote_segment",
]
