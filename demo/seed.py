"""Demo data: the shop's products (Turkish goods with valid EANs) and what the local Amazon knows of them."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from .models import Product, db

DEMO_PRODUCTS = [
    ("Türk Kahvesi 250 g", "Kahve Dünyası", "Gıda", "189.90"),
    ("Çay Bardağı Seti (6'lı)", "Paşabahçe", "Mutfak", "249.00"),
    ("İnce Belli Çaydanlık", "Korkmaz", "Mutfak", "899.50"),
    ("Lokum Çeşitleri 500 g", "Hacı Bekir", "Gıda", "320.00"),
    ("Pamuklu Peştemal", "Ege Tekstil", "Ev Tekstili", "275.75"),
    ("Bakır Cezve", "Gaziantep Bakır", "Mutfak", "455.00"),
    ("Zeytinyağlı Sabun 4'lü", "Ayvalık Sabun", "Kişisel Bakım", "139.90"),
    ("Fındık Ezmesi 350 g", "Karadeniz Lezzet", "Gıda", "214.99"),
    ("El Dokuma Kilim 80x150", "Uşak Halı", "Ev Tekstili", "2499.00"),
    ("Nazar Boncuklu Anahtarlık", "Ege Zanaat", "Aksesuar", "59.90"),
    ("Çini Kase 15 cm", "İznik Çini", "Dekorasyon", "389.00"),
    ("Antep Fıstığı 400 g", "Güneydoğu Kuruyemiş", "Gıda", "649.00"),
    ("Kestane Şekeri 300 g", "Bursa Şekercisi", "Gıda", "279.50"),
    ("Organik Çiçek Balı 850 g", "Anadolu Arıcılık", "Gıda", "499.00"),
    ("Keçe Terlik", "Sivas El Sanatları", "Giyim", "329.00"),
    ("İpek Eşarp", "Bursa İpek", "Aksesuar", "749.90"),
    ("Lavanta Kesesi 3'lü", "Isparta Bahçe", "Ev", "99.00"),
    ("Ahşap Kaşık Seti", "Doğa Atölyesi", "Mutfak", "189.00"),
    ("Seramik Kupa \"Boğaz\"", "Kütahya Porselen", "Mutfak", "149.50"),
    ("Kuru Kayısı 500 g", "Malatya Kayısı", "Gıda", "229.00"),
    ("Tespih (Kehribar)", "Erzurum Oltu", "Aksesuar", "1299.00"),
    ("Pirinç Tepsi 40 cm", "Kapalıçarşı Bakır", "Dekorasyon", "1150.00"),
    ("Nar Ekşisi 500 ml", "Ege Çiftliği", "Gıda", "119.90"),
    ("Gül Suyu 250 ml", "Isparta Gül", "Kişisel Bakım", "89.90"),
    ("Bebek Battaniyesi (Müslin)", "Denizli Tekstil", "Bebek", "389.90"),
    ("Oya İşlemeli Havlu", "Ege Tekstil", "Ev Tekstili", "159.00"),
    ("Çocuk Masal Kitabı: Keloğlan", "Yapı Kredi Yayınları", "Kitap", "74.50"),
    ("Satranç Takımı (Ahşap)", "Oyun Atölyesi", "Oyuncak", "549.00"),
    ("Şalgam Suyu 1 L", "Adana Lezzet", "Gıda", "49.90"),
    ("Kaşar Peyniri 700 g", "Kars Mandırası", "Gıda", "459.00"),
    ("Sucuk 500 g", "Afyon Et", "Gıda", "429.00"),
    ("Mum Seti (Lale Desenli)", "Işık Atölye", "Dekorasyon", "199.00"),
    ("Derin Tava 28 cm", "Korkmaz", "Mutfak", "1049.00"),
    ("Ütü Masası Kılıfı", "Evim Güzel", "Ev", "129.99"),
    ("Çiğ Köfte Baharatı 200 g", "Şanlıurfa Baharat", "Gıda", "69.90"),
    ("Pestil 250 g", "Gümüşhane Pestil", "Gıda", "179.00"),
]


def ean13(number: int) -> str:
    """A valid EAN-13 with Türkiye's GS1 prefix 869."""
    body = f"869{number:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


DEMO_CARRIERS = ["Yurtiçi Kargo", "Aras Kargo", "MNG Kargo", "PTT Kargo", "Sürat Kargo", "HepsiJet", "UPS"]


def demo_catalog() -> list[dict]:
    """What the local Amazon's catalog knows of the demo's products.

    Two of three are on Amazon already (linked as offers); the rest are new to
    Amazon (sent as whole listings). Two catalog pages belong to a brand, so the
    demo shows "katalog kilitli" too.
    """
    return [
        {"ean": ean13(1000 + i), "title": title, "brand": brand, "sku": f"DEMO-{i:04d}",
         "asin": f"B0DEMO{i:04d}", "content_locked": i in (4, 11)}
        for i, (title, brand, _category, _price) in enumerate(DEMO_PRODUCTS, start=1)
        if i % 3
    ]


def seed_products() -> int:
    """Adds the demo products to an empty shop; returns how many were added (0 if it had some)."""
    if db.session.scalar(select(func.count()).select_from(Product)):
        return 0
    for i, (title, brand, category, price) in enumerate(DEMO_PRODUCTS, start=1):
        db.session.add(Product(
            sku=f"DEMO-{i:04d}", ean=ean13(1000 + i), title=title, brand=brand, category=category,
            description=f"{title}: {brand} güvencesiyle, özenle paketlenerek gönderilir.",
            price=Decimal(price), stock=(i * 7) % 40 + 3,
            image_url=f"https://example.com/img/demo-{i:04d}.jpg",
        ))
    db.session.commit()
    return len(DEMO_PRODUCTS)
