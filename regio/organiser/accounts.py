"""Accounts (admins only): invite, change role, switch off and on, resend the invitation,
reset someone's second factor."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from regio.accounts import services, twofactor
from regio.accounts.models import Organiser
from regio.db import begin_write, db, utc_now
from regio.errors import AccountError
from regio.messages import message_for
from regio.organiser import bp
from regio.organiser.access import actor, require
from regio.organiser.account_forms import InviteForm, RoleForm
from regio.organiser.forms import ActionForm, attach_error
from regio.organiser.loading import MAX_ID


def _load(account_id: int) -> Organiser:
    if not 0 < account_id <= MAX_ID:
        abort(404)
    return db.get_or_404(Organiser, account_id)


def _render(invite: InviteForm | None = None, status: int = 200):
    return render_template(
        "organiser/accounts.html", accounts=services.list_accounts(),
        invite=invite or InviteForm(formdata=None), action=ActionForm(), role_form=RoleForm,
    ), status


@bp.get("/accounts")
@require("admin")
def accounts():
    return _render()


@bp.post("/accounts")
@require("admin")
def account_invite():
    form = InviteForm()
    if not form.validate_on_submit():
        return _render(form, 422)
    begin_write()
    try:
        account = services.invite_account(form.email.data, form.role.data, actor=actor(),
                                          now=utc_now())
    except AccountError as error:
        db.session.rollback()
        attach_error(form, error)
        return _render(form, 422)
    db.session.commit()
    flash(_("%(email)s krijgt een e-mail met een link om een wachtwoord te kiezen.",
            email=account.email), "success")
    return redirect(url_for("organiser.accounts"))


def _act(account_id: int, change, done: str, form=None):
    """Load the account, run one service call on it, commit, and say how it went."""
    account = _load(account_id)
    form = form or ActionForm()
    if form.validate_on_submit():
        begin_write()
        try:
            change(account)
        except AccountError as error:
            db.session.rollback()
            flash(message_for(error), "error")
        else:
            db.session.commit()
            flash(done % {"email": account.email}, "success")
    return redirect(url_for("organiser.accounts"))


@bp.post("/accounts/<int:account_id>/rol")
@require("admin")
def account_role(account_id: int):
    form = RoleForm()
    return _act(account_id, lambda a: services.change_role(a, form.role.data, actor=actor(),
                                                           now=utc_now()),
                _("De rol van %(email)s is aangepast."), form)


@bp.post("/accounts/<int:account_id>/uitzetten")
@require("admin")
def account_deactivate(account_id: int):
    return _act(account_id, lambda a: services.deactivate(a, actor=actor(), now=utc_now()),
                _("Het account van %(email)s staat uit. Die persoon is overal uitgelogd."))


@bp.post("/accounts/<int:account_id>/aanzetten")
@require("admin")
def account_reactivate(account_id: int):
    return _act(account_id, lambda a: services.reactivate(a, actor=actor(), now=utc_now()),
                _("Het account van %(email)s staat weer aan."))


@bp.post("/accounts/<int:account_id>/uitnodiging")
@require("admin")
def account_resend(account_id: int):
    return _act(account_id,
                lambda a: services.resend_invitation(a, actor=actor(), now=utc_now()),
                _("De uitnodiging is opnieuw naar %(email)s gestuurd."))


@bp.post("/accounts/<int:account_id>/tweestaps-terugzetten")
@require("admin")
def account_reset_second_factor(account_id: int):
    return _act(account_id,
                lambda a: twofactor.reset_second_factor(a, actor=actor(), now=utc_now()),
                _("Inloggen in twee stappen van %(email)s is teruggezet. Bij de volgende keer "
                  "inloggen stelt die persoon het opnieuw in."))
