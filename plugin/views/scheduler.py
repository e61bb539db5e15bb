"""The scheduler box on the store list: who leads, next and last runs, pause and resume per store."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from ..i18n import gettext as _
from ..services import schedule
from .blueprint import admin_blueprint as bp
from .blueprint import is_htmx


def render_box(message=None):
    """The box alone; the store list passes the same ``sched`` when it includes it. After a button,
    the box says what changed and takes the focus (static/amazon_tr/amazon_tr_focus.js)."""
    return render_template("amazon_tr/scheduler/_box.html", sched=schedule.status(), message=message,
                           focus=message is not None)


@bp.get("/scheduler")
def scheduler_box():
    return render_box()


def _set_paused(store_id: int, paused: bool):
    if not schedule.set_paused(store_id, paused):
        abort(404)
    message = _("Scheduled syncs of the store are paused.") if paused else _("Scheduled syncs of the store resumed.")
    if is_htmx():
        return render_box(message)
    flash(message, "amazon_tr-success")
    return redirect(url_for("amazon_tr.index") + "#amazon-tr-scheduler")


@bp.post("/scheduler/stores/<int:store_id>/pause")
def scheduler_pause(store_id: int):
    return _set_paused(store_id, True)


@bp.post("/scheduler/stores/<int:store_id>/resume")
def scheduler_resume(store_id: int):
    return _set_paused(store_id, False)
