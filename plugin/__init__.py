"""flask-amazon-tr: Amazon Türkiye for Flask shops."""
from .extension import AmazonTR
from .state import AmazonTRState
from .shop import ShopAdapter, ShopOrder, ShopOrderLine, ShopProduct

__all__ = ["AmazonTR", "AmazonTRState", "ShopAdapter", "ShopOrder", "ShopOrderLine", "ShopProduct"]
