"""The demo's admin sign-in: no password (it is a demo), but a CSRF token and a same-site ``next``.

The plugin's pages call ``admin_guard`` before every admin request; the shop's own admin
pages use ``admin_only``. Both send a signed-out visitor to the login page, which brings
them back to the page they asked for.
"""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm

from flask_amazon_tr.views.blueprint import safe_next  # the plugin's one check of a same-site next

bp = Blueprint("demo_login", __name__)

SESSION_KEY = "demo_admin"


class LoginForm(FlaskForm):
    """Only the CSRF token: without it another site could sign a visitor in behind their back."""


def is_admin() -> bool:
    return bool(session.get(SESSION_KEY))


def admin_guard():
    """The plugin's admin check (AmazonTR(admin_guard=...)): True, or the response to send instead."""
    if is_admin():
        return True
    return redirect(url_for("demo_login.login", next=request.full_path))


def admin_only(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        if not is_admin():
            return redirect(url_for("demo_login.login", next=request.path))
        return view(*args, **kwargs)

    return guarded


@bp.route("/admin/login", methods=["GET", "POST"])
def login():
    target = safe_next(request.values.get("next"), url_for("amazon_tr.index"))
    form = LoginForm()
    if form.validate_on_submit():
        session[SESSION_KEY] = True
        return redirect(target)
    status = 200
    if form.is_submitted():  # posted without a valid token: an old page or another site's form
        status = 400
    return render_template("demo/login.html", form=form, next=target), status


@bp.route("/admin/logout")
def logout():
    session.pop(SESSION_KEY, None)
    return redirect(url_for("demo.storefront"))
