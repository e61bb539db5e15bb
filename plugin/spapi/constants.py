"""Amazon's fixed names and addresses that the client, the services and the sandbox share."""
from __future__ import annotations

from zoneinfo import ZoneInfo

#: Amazon.com.tr.
MARKETPLACE_ID_TR = "A33AVAJ2PDY3EV"

#: Türkiye is served from the Europe region.
SPAPI_ENDPOINT_EU = "https://sellingpartnerapi-eu.amazon.com"
SPAPI_SANDBOX_ENDPOINT_EU = "https://sandbox.sellingpartnerapi-eu.amazon.com"
LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"

JSON_LISTINGS_FEED = "JSON_LISTINGS_FEED"
#: The content type a JSON_LISTINGS_FEED document is created and uploaded with;
#: the presigned upload URL is signed for exactly this value.
JSON_FEED_CONTENT_TYPE = "application/json; charset=UTF-8"

#: Amazon.com.tr's time zone, which is also the shop's: dates the admin types or reads
#: ("bu tarihten itibaren", "kargoya verildi") are Turkish time.
MARKETPLACE_TZ = ZoneInfo("Europe/Istanbul")

#: The locale Amazon writes issue messages, titles and product type names in.
LOCALE_TR = "tr_TR"
