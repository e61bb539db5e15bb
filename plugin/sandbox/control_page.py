"""/_sandbox/: a small HTML page over the control levers, so a demo can make "Amazon-side" events
happen with a button instead of from the source (issue 17 §4).

It shows the sandbox's sellers (which Satıcı Kodu a store form takes) and the latest orders, and
has one form per event a seller meets on Amazon.com.tr:

* a new order: an order placed by a buyer (the same generator as ``POST /_sandbox/orders``);
* a buyer's cancellation request: ``orderItems[].cancellation.cancellationRequest`` with requester
  BUYER (orders-2026-01-01.json, ItemCancellationRequest; seed_tr.request_cancellation has the
  Seller Central "Cancellations FAQ" rules: only before the order ships, never for FBA);
* a cancellation: ``fulfillment.fulfillmentStatus`` CANCELLED (orders-2026-01-01.json
  FulfillmentStatus), as when the seller cancels in Seller Central or the buyer does within the first
  30 minutes; lastUpdatedTime moves, so the next import sees it (SandboxState.update_order);
* a revoked authorization: the seller removes the application in Seller Central (Manage Your Apps),
  after which LWA answers the refresh token with invalid_grant ("Authorization Errors" in the
  SP-API docs; SandboxState.revoke).

Like the rest of /_sandbox it answers only this machine (control.py's before_request). The forms
post back and redirect (post/redirect/get) with the outcome in the query string; a post whose
Origin names another site is refused, so a web page in the same browser cannot pull the levers.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, redirect, render_template_string, request, url_for

from . import seed_tr
from .seed import FULFILLMENT_STATUSES, MARKETPLACES

#: Order statuses a new order may start in (what a fresh buyer order shows on Amazon).
NEW_ORDER_STATUSES = ("UNSHIPPED", "PENDING", "PENDING_AVAILABILITY")

PAGE = """<!doctype html>
<html lang="tr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Amazon sandbox kontrol paneli</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;padding:1rem;max-width:60rem;background:#f8fafc;color:#111827}
section{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:1rem;margin:0 0 1rem}
.scroll{overflow-x:auto} table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e5e7eb}
form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end} label{display:flex;flex-direction:column;font-size:.9rem;gap:.2rem}
.ok{background:#ecfdf5;border:1px solid #10b981;padding:.5rem;border-radius:6px}
.err{background:#fef2f2;border:1px solid #ef4444;padding:.5rem;border-radius:6px} code{font-size:.9em}
select,input,button{font:inherit;max-width:100%} button{padding:.35rem .8rem}
</style></head><body>
<h1>Amazon sandbox kontrol paneli</h1>
<p>Bu sayfa yerel Amazon sandbox'ında Amazon tarafında olan olayları başlatır: yeni sipariş, alıcının iptal
talebi, sipariş iptali, yetkinin geri alınması. Yalnızca bu bilgisayardan açılır.</p>
{% if done %}<p class="ok" role="status" tabindex="-1" autofocus>{{ done }}</p>{% endif %}
{% if error %}<p class="err" role="alert" tabindex="-1" autofocus>{{ error }}</p>{% endif %}

<section aria-labelledby="sellers"><h2 id="sellers">Satıcılar (Satıcı Kodu)</h2>
<p>Mağaza formundaki <strong>Satıcı Kodu</strong> alanına bunlardan birini yazın; yetkilendirme sayfası aynı satıcıyı sorar.</p>
<div class="scroll"><table><thead><tr><th scope="col">Satıcı Kodu</th><th scope="col">Satıcı</th><th scope="col">Pazaryeri</th><th scope="col">Ne gösterir</th></tr></thead>
<tbody>{% for s in sellers %}<tr data-seller="{{ s.id }}"><td><code>{{ s.id }}</code></td><td>{{ s.name }}</td><td>{{ s.marketplaces }}</td><td>{{ s.note }}</td></tr>{% endfor %}</tbody></table></div>
</section>

<section aria-labelledby="new-order"><h2 id="new-order">Yeni sipariş</h2>
<form method="post" action="{{ url_for('sandbox_control.page_new_order') }}">
<label>Satıcı<select name="seller_id">{% for s in sellers %}<option value="{{ s.id }}">{{ s.id }} · {{ s.name }}</option>{% endfor %}</select></label>
<label>Durum<select name="status">{% for st in new_statuses %}<option value="{{ st }}">{{ status_names[st] }}</option>{% endfor %}</select></label>
<label>Gönderen<select name="fulfilled_by"><option value="MERCHANT">Satıcı gönderiyor</option><option value="AMAZON">Amazon gönderiyor (FBA)</option></select></label>
<button type="submit">Sipariş oluştur</button></form>
</section>

<section aria-labelledby="cancel-request"><h2 id="cancel-request">Alıcının iptal talebi</h2>
<form method="post" action="{{ url_for('sandbox_control.page_cancellation_request') }}">
<label>Sipariş<select name="order_id" required>{% for o in cancellable %}<option value="{{ o.id }}">{{ o.id }} · {{ o.seller }} · {{ status_names[o.status] }}</option>{% endfor %}</select></label>
<label>Alıcının gerekçesi<input name="reason" maxlength="200" value="Yanlışlıkla sipariş verdim"></label>
<button type="submit"{% if not cancellable %} disabled{% endif %}>İptal talep et</button></form>
</section>

<section aria-labelledby="cancel"><h2 id="cancel">Siparişi iptal et</h2>
<form method="post" action="{{ url_for('sandbox_control.page_cancel') }}">
<label>Sipariş<select name="order_id" required>{% for o in open_orders %}<option value="{{ o.id }}">{{ o.id }} · {{ o.seller }} · {{ status_names[o.status] }}</option>{% endfor %}</select></label>
<button type="submit"{% if not open_orders %} disabled{% endif %}>Amazon'da iptal et</button></form>
</section>

<section aria-labelledby="revoke"><h2 id="revoke">Yetkiyi geri al</h2>
<p>Satıcı uygulamayı Seller Central'dan kaldırmış gibi: mağazanın yenileme anahtarı artık geçmez.</p>
<form method="post" action="{{ url_for('sandbox_control.page_revoke') }}">
<label>Satıcı<select name="seller_id">{% for s in sellers %}<option value="{{ s.id }}">{{ s.id }} · {{ s.name }}</option>{% endfor %}</select></label>
<button type="submit">Yetkiyi geri al</button></form>
</section>

<section aria-labelledby="orders"><h2 id="orders">Son siparişler</h2>
<div class="scroll"><table><thead><tr><th scope="col">Amazon sipariş numarası</th><th scope="col">Satıcı</th><th scope="col">Durum</th><th scope="col">İptal talebi</th></tr></thead>
<tbody>{% for o in orders %}<tr data-order="{{ o.id }}"><td>{{ o.id }}</td><td>{{ o.seller }}</td><td>{{ status_names[o.status] }}</td><td>{{ "Var" if o.requested else "—" }}</td></tr>{% endfor %}</tbody></table></div>
</section>
</body></html>"""

#: The statuses in the page's Turkish (the admin's labels: views/labels.py).
STATUS_NAMES = {
    "PENDING_AVAILABILITY": "Ön sipariş, ödeme onaylanmadı", "PENDING": "Beklemede (ödeme onayı bekleniyor)",
    "UNSHIPPED": "Kargolanmadı", "PARTIALLY_SHIPPED": "Kısmen kargolandı", "SHIPPED": "Kargolandı",
    "CANCELLED": "İptal edildi", "UNFULFILLABLE": "Karşılanamıyor",
}
assert set(STATUS_NAMES) == set(FULFILLMENT_STATUSES)

#: What each seed seller shows in the demo (seed.SELLERS: their marketplaces and roles).
SELLER_NOTES = {
    "A1TRDEMOSATICI": "Her şey çalışır: tüm roller, Amazon.com.tr",
    "A2DEONLYSELLER": "Amazon.com.tr'de satış yapmaz (yalnızca Amazon.de): API testi bunu söyler",
    "A3TRNOLISTINGS": "Ürün (listings) ve toplu gönderim (feeds) rolü yok",
    "A4TRNOPIIROLES": "Kısıtlı roller yok: siparişler alıcı adı, adres ve vergi bilgisi olmadan gelir",
    "A5TRNOORDERSROLE": "Sipariş rolü yok: sipariş aktarımı yetki hatası verir",
}


def _state():
    return current_app.extensions["amazon_tr_sandbox"]["state"]


def _same_site() -> None:
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        abort(403)


def _back(**outcome) -> Response:
    return redirect(url_for("sandbox_control.page", **outcome), code=303)


def _orders(st, limit: int = 30) -> list[dict]:
    with st.lock:
        rows = sorted(st.orders.values(), key=lambda o: o.get("createdTime", ""), reverse=True)[:limit]
        return [{"id": o["orderId"], "seller": o.get("_sellerId"),
                 "status": (o.get("fulfillment") or {}).get("fulfillmentStatus"),
                 "fba": (o.get("fulfillment") or {}).get("fulfilledBy") == "AMAZON",
                 "requested": any(((i.get("cancellation") or {}).get("cancellationRequest")) for i in o["orderItems"])}
                for o in rows]


def register(bp: Blueprint) -> None:
    """Add the page and its form posts to the control blueprint (url prefix /_sandbox)."""

    @bp.get("/")
    def page():
        st = _state()
        with st.lock:
            sellers = [{"id": k, "name": v["name"], "note": SELLER_NOTES.get(k, ""),
                        "marketplaces": ", ".join(MARKETPLACES.get(m, {}).get("name", m) for m in v["marketplaces"])}
                       for k, v in st.sellers.items()]
        orders = _orders(st)
        return render_template_string(
            PAGE, sellers=sellers, orders=orders, new_statuses=NEW_ORDER_STATUSES, status_names=STATUS_NAMES,
            cancellable=[o for o in orders
                         if o["status"] in seed_tr.CANCELLABLE and not o["fba"] and not o["requested"]],
            open_orders=[o for o in orders if o["status"] not in ("SHIPPED", "CANCELLED")],
            done=request.args.get("done", "")[:300], error=request.args.get("error", "")[:300])

    @bp.post("/page/new-order")
    def page_new_order():
        _same_site()
        st = _state()
        seller_id = request.form.get("seller_id", "")
        status = request.form.get("status", "UNSHIPPED")
        fulfilled_by = request.form.get("fulfilled_by", "MERCHANT")
        if seller_id not in st.sellers or status not in NEW_ORDER_STATUSES or \
                fulfilled_by not in ("MERCHANT", "AMAZON"):
            return _back(error="Satıcıyı, durumu ve göndereni listeden seçin.")
        order = st.add_order(None, seller_id=seller_id, status=status, fulfilled_by=fulfilled_by)
        return _back(done=f"{order['orderId']} numaralı sipariş oluşturuldu ({STATUS_NAMES[status]}). "
                          "Mağazada Siparişleri şimdi aktar'a basın ya da zamanlayıcıyı bekleyin.")

    @bp.post("/page/cancellation-request")
    def page_cancellation_request():
        _same_site()
        order_id = request.form.get("order_id", "")
        reason = (request.form.get("reason") or "").strip()[:200] or None
        try:
            seed_tr.request_cancellation(_state(), order_id, reason)
        except LookupError:
            return _back(error="Böyle bir sipariş yok.")
        except ValueError:
            return _back(error="Bu sipariş için iptal talep edilemez "
                               "(kargolanmış, iptal edilmiş ya da Amazon gönderiyor).")
        return _back(done=f"Alıcı {order_id} numaralı siparişin iptalini istedi.")

    @bp.post("/page/cancel")
    def page_cancel():
        _same_site()
        st = _state()
        order_id = request.form.get("order_id", "")
        if order_id not in st.orders:
            return _back(error="Böyle bir sipariş yok.")
        ful = st.orders[order_id].get("fulfillment") or {}
        if ful.get("fulfilledBy") == "AMAZON" or ful.get("fulfillmentStatus") not in seed_tr.CANCELLABLE:
            # the same rule as the buyer's cancellation request (seed_tr.py: Amazon's Cancellations FAQ)
            return _back(error="Bu sipariş iptal edilemez (kargolanmış, iptal edilmiş ya da Amazon gönderiyor).")
        st.update_order(order_id, {"fulfillmentStatus": "CANCELLED"})
        return _back(done=f"{order_id} numaralı sipariş Amazon'da iptal edildi.")

    @bp.post("/page/revoke")
    def page_revoke():
        _same_site()
        st = _state()
        seller_id = request.form.get("seller_id", "")
        if seller_id not in st.sellers:
            return _back(error="Böyle bir satıcı yok.")
        count = st.revoke(seller_id=seller_id)
        return _back(done=f"{seller_id} satıcısının yetkisi geri alındı ({count} yenileme anahtarı).")
