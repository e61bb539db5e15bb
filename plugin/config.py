"""The plugin's settings: every key carries the AMAZON_TR_ prefix."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from .extras import load_sandbox

from .spapi.constants import LWA_TOKEN_URL, SPAPI_ENDPOINT_EU, SPAPI_SANDBOX_ENDPOINT_EU

# Each key, its default and what it means. The README's config table is written
# from this list, so a new key is documented where it is defined.
DEFAULTS: dict[str, tuple[object, str]] = {
    "AMAZON_TR_URL_PREFIX": ("/admin/amazon", "Where the admin pages are mounted."),
    "AMAZON_TR_SPAPI_ENDPOINT": (SPAPI_ENDPOINT_EU, "SP-API base URL (Europe region serves Türkiye)."),
    "AMAZON_TR_LWA_TOKEN_URL": (LWA_TOKEN_URL, "Login with Amazon token endpoint."),
    "AMAZON_TR_SELLER_CENTRAL_URL": ("https://sellercentral.amazon.com.tr", "Seller Central, for the consent page."),
    "AMAZON_TR_APP_ID": (None, "Your SP-API application id (amzn1.sp.solution.…)."),
    "AMAZON_TR_APP_DRAFT": (False, "Send version=beta on the consent page while the app is a draft."),
    "AMAZON_TR_LWA_CLIENT_ID": (None, "LWA client id of the application."),
    "AMAZON_TR_LWA_CLIENT_SECRET": (None, "LWA client secret (keep it out of the repository)."),
    "AMAZON_TR_ENCRYPTION_KEY": (None, "Fernet key(s), comma separated, newest first; encrypts tokens and buyer data."),
    "AMAZON_TR_REDIRECT_URI": (None, "OAuth redirect URI registered with Amazon; default: the callback's own URL."),
    "AMAZON_TR_SANDBOX": ("off", "off: Amazon; amazon: Amazon's sandbox endpoint; local: the bundled local sandbox."),
    "AMAZON_TR_LOCAL_SANDBOX_URL": ("http://127.0.0.1:5000/amazon-sandbox", "Where the local sandbox answers in local mode."),
    "AMAZON_TR_SCHEDULER": (False, "Run the syncs in this process with APScheduler."),
    "AMAZON_TR_ORDER_INTERVAL": (300, "Seconds between two scheduled order imports of a store."),
    "AMAZON_TR_PRODUCT_INTERVAL": (900, "Seconds between two scheduled product pushes of a store."),
    "AMAZON_TR_FEED_POLL_INTERVAL": (120, "Seconds between two checks of a store's product feeds in flight."),
    "AMAZON_TR_SHIPMENT_INTERVAL": (300, "Seconds between two retries of shipment confirmations Amazon has not taken yet."),
    "AMAZON_TR_SCHEDULER_RETRY": (5, "Seconds between a waiting process's tries to take over the scheduler (and the leader's heartbeats)."),
    "AMAZON_TR_RUN_RETENTION_DAYS": (90, "Days the sync history keeps a finished run; the daily housekeeping deletes older ones (the newest run of each store and sync stays)."),
    "AMAZON_TR_SCHEDULER_LOCK_FILE": (None, "Lock file that elects the scheduler on SQLite; default: beside the database file."),
    "AMAZON_TR_ORDER_PREFIX": ("AMZ-", "Prefix of the shop's order number for Amazon orders (a store may set its own)."),
    "AMAZON_TR_PRICE_JUMP_FACTOR": (3.0, "A price more than this many times above (or below) Amazon's current one waits for the admin's confirmation on the products page."),
    "AMAZON_TR_PATCH_THRESHOLD": (100, "Up to this many changed products go by patchListingsItem; more go in one JSON_LISTINGS_FEED."),
    "AMAZON_TR_HTTP_PROXY": (None, "Proxy for every call to Amazon; without it the client ignores the environment's proxy variables."),
    "AMAZON_TR_READ_TIMEOUT": (30.0, "Seconds to wait for an answer from Amazon before the request counts as failed and is retried."),
    "AMAZON_TR_FEED_DEADLINE": (4 * 3600, "Seconds a product feed may stay unprocessed at Amazon; then it is marked failed and its products are sent again."),
    "AMAZON_TR_FEED_GRACE": (600, "Seconds a product feed whose creation Amazon did not confirm may take to show up at Amazon; then its products are sent again."),
    "AMAZON_TR_STOCK_DEBOUNCE_SECONDS": (1.0, "Stock changes within this window reach Amazon together."),
    "AMAZON_TR_ADMIN_LAYOUT": ("amazon_tr/_layout.html", "Host template the admin pages extend (blocks: title, head, content)."),
    "AMAZON_TR_CACHE_STAMP": (None, "File whose change tells every worker that stores changed; default: in the instance folder."),
    "AMAZON_TR_MAX_FORM_BYTES": (256 * 1024, "Largest body an admin form may post."),
    "AMAZON_TR_CONTENT_SECURITY_POLICY": (None, "Content-Security-Policy of the admin pages; default: only the plugin's own files. Set your own when your admin layout needs inline script or style."),
    "AMAZON_TR_LOCALE": ("tr", "Language of the plugin's pages: tr or en."),
    "AMAZON_TR_DEMO": (False, "Demo mode: admin pages open without an admin guard."),
}


# The values a key may take, where only a few make sense.
CHOICES: dict[str, tuple[str, ...]] = {
    "AMAZON_TR_SANDBOX": ("off", "amazon", "local"),
    "AMAZON_TR_LOCALE": ("tr", "en"),
}
# Numbers that may be zero (a debounce or a grace of 0 means "at once"); every other
# number must be above zero.
ZERO_ALLOWED = {"AMAZON_TR_STOCK_DEBOUNCE_SECONDS", "AMAZON_TR_FEED_GRACE"}
_WHOLE_NUMBERS = {"AMAZON_TR_PATCH_THRESHOLD", "AMAZON_TR_MAX_FORM_BYTES"}
_BOOL_KEYS = {key for key, (default, _h) in DEFAULTS.items() if isinstance(default, bool)}


class ConfigError(ValueError):
    """An AMAZON_TR_* setting the plugin cannot work with; raised at init_app."""


def apply_defaults(config) -> None:
    for key, (default, _help) in DEFAULTS.items():
        config.setdefault(key, default)


def validate(config) -> None:
    """Check and normalize every AMAZON_TR_* value once, at init_app.

    A typo (``AMAZON_TR_SANDBOX=lcoal``) or a negative interval stops the start with a
    message naming the key, instead of a silent fallback at the first sync. Values
    from the environment arrive as text; they are stored back as the type the
    default has, so every later read gets a bool, an int or a float.
    """
    problems = []
    for key, (default, _help) in DEFAULTS.items():
        value = config.get(key)
        try:
            config[key] = _normalize(key, default, value)
        except ConfigError as exc:
            problems.append(str(exc))
    unknown = sorted(k for k in config if k.startswith("AMAZON_TR_") and k not in DEFAULTS)
    if unknown:
        problems.append("unknown setting(s) " + ", ".join(unknown) + " (see the README's configuration table)")
    if problems:
        raise ConfigError("flask-amazon-tr configuration: " + "; ".join(problems))


def _normalize(key: str, default, value):
    if key in _BOOL_KEYS:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ConfigError(f"{key} must be true or false; got {value!r}")
    if key in CHOICES:
        text = str(value or "").strip().lower()
        if text not in CHOICES[key]:
            raise ConfigError(f"{key} must be one of {', '.join(CHOICES[key])}; got {value!r}")
        return text
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        try:
            number = float(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None or number != number or number in (float("inf"), float("-inf")):
            raise ConfigError(f"{key} must be a number; got {value!r}")
        if number < 0 or (number == 0 and key not in ZERO_ALLOWED):
            raise ConfigError(f"{key} must be above zero; got {value!r}")
        if number.is_integer():
            return int(number)
        if key in _WHOLE_NUMBERS:
            raise ConfigError(f"{key} must be a whole number; got {value!r}")
        return number
    return value


def setting(key: str, app=None):
    """The one way plugin code reads an AMAZON_TR_* value (validated at init_app)."""
    if key not in DEFAULTS:
        raise KeyError(f"{key} is not a flask-amazon-tr setting")
    return (app or current_app).config[key]


@dataclass(frozen=True)
class AmazonSettings:
    """The URLs and credentials a call to Amazon needs, resolved for the mode."""

    mode: str
    spapi_endpoint: str
    lwa_token_url: str
    seller_central_url: str
    app_id: str | None
    client_id: str | None
    client_secret: str | None
    app_draft: bool


def amazon_settings(config) -> AmazonSettings:
    mode = str(config.get("AMAZON_TR_SANDBOX") or "off").lower()
    endpoint = config["AMAZON_TR_SPAPI_ENDPOINT"]
    token_url = config["AMAZON_TR_LWA_TOKEN_URL"]
    seller_central = config["AMAZON_TR_SELLER_CENTRAL_URL"]
    app_id = config.get("AMAZON_TR_APP_ID")
    client_id = config.get("AMAZON_TR_LWA_CLIENT_ID")
    client_secret = config.get("AMAZON_TR_LWA_CLIENT_SECRET")
    if mode == "amazon" and endpoint == SPAPI_ENDPOINT_EU:
        endpoint = SPAPI_SANDBOX_ENDPOINT_EU
    elif mode == "local":
        base = str(config["AMAZON_TR_LOCAL_SANDBOX_URL"]).rstrip("/")
        endpoint = base
        token_url = base + "/auth/o2/token"
        seller_central = base
        # the sandbox's own application identity; loaded only in local mode
        seed = load_sandbox("seed")
        app_id = app_id or seed.SANDBOX_APP_ID
        client_id = client_id or seed.SANDBOX_CLIENT_ID
        client_secret = client_secret or seed.SANDBOX_CLIENT_SECRET
    return AmazonSettings(
        mode=mode,
        spapi_endpoint=endpoint.rstrip("/"),
        lwa_token_url=token_url,
        seller_central_url=seller_central.rstrip("/"),
        app_id=app_id,
        client_id=client_id,
        client_secret=client_secret,
        app_draft=_truthy(config.get("AMAZON_TR_APP_DRAFT")),
    )


_TRUE = {"1", "true", "yes", "on", "evet"}
_FALSE = {"0", "false", "no", "off", "hayır", "hayir", "", "none"}


def _truthy(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return bool(value)


truthy = _truthy

