"""The audit events of accounts and logins: a stable code each, and the Dutch sentence the
audit log shows for it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ADDED = "account.add"  # `regio user add`, a new account
UPDATED = "account.update"  # `regio user add` for an existing account: new password and role
LOGOUT = "logout"
CODE_FAILED = "login.code_failed"
INVITED = "account.invite"
INVITE_RESENT = "account.invite_resent"
ROLE_CHANGED = "account.role"
DEACTIVATED = "account.deactivate"
REACTIVATED = "account.reactivate"
PASSWORD_SET = "account.password_set"
RESET_REQUESTED = "account.reset_requested"
PASSWORD_CHANGED = "account.password_change"
SECOND_FACTOR_ON = "account.second_factor_on"
SECOND_FACTOR_RESET = "account.second_factor_reset"
RECOVERY_CODE_USED = "account.recovery_code_used"


SENTENCES = {
    ADDED: _l("%(actor)s heeft het account %(subject)s gemaakt, met de rol %(role)s."),
    UPDATED: _l("%(actor)s heeft %(subject)s een nieuw wachtwoord en de rol %(role)s gegeven."),
    LOGOUT: _l("%(actor)s is uitgelogd."),
    CODE_FAILED: _l("Bij het inloggen van %(subject)s is een verkeerde code ingevuld."),
    INVITED: _l("%(actor)s heeft %(subject)s uitgenodigd als %(role)s."),
    INVITE_RESENT: _l("%(actor)s heeft de uitnodiging voor %(subject)s opnieuw verstuurd."),
    ROLE_CHANGED: _l("%(actor)s heeft %(subject)s de rol %(role)s gegeven."),
    DEACTIVATED: _l("%(actor)s heeft het account van %(subject)s uitgezet."),
    REACTIVATED: _l("%(actor)s heeft het account van %(subject)s weer aangezet."),
    PASSWORD_SET: _l("%(subject)s heeft een wachtwoord gekozen met de link uit de e-mail."),
    RESET_REQUESTED: _l("Er is een nieuw wachtwoord gevraagd voor %(subject)s."),
    PASSWORD_CHANGED: _l("%(subject)s heeft het eigen wachtwoord veranderd."),
    SECOND_FACTOR_ON: _l("%(subject)s heeft inloggen in twee stappen aangezet."),
    SECOND_FACTOR_RESET: _l("%(actor)s heeft inloggen in twee stappen van %(subject)s "
                            "teruggezet."),
    RECOVERY_CODE_USED: _l("%(subject)s heeft met een herstelcode ingelogd."),
}

