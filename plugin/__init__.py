"""flask-amazon-tr: Amazon Türkiye for Flask shops."""
from .extension import AmazonTR, AmazonTRState
from .shop import ShopAdapter, ShopOrder, ShopOrderLine, ShopProduct

__all__ = ["AmazonTR", "AmazonTRState", "ShopAdapter", "ShopOrder", "ShopOrderLine", "ShopProduct"]
