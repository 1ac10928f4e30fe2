"""The whole life of a back-office account, through the web and a real SMTP server:
invitation → password → two-factor enrolment → login in two steps → recovery code →
admin resets the factor → deactivation ends the open session."""

from __future__ import annotations

from urllib.parse import urlsplit

from regio.accounts.services import find_account
from tests.account_support import (
    RECOVERY_RE,
    SECRET_RE,
    code_now,
    logout,
    mailed_link,
    password_step,
    post_form,
)
from tests.organiser_support import LOGIN, fresh, logged_in, new_client

NEW = "nieuw@ocw-regio.nl"
NEW_PASSWORD = "een lange zin als wachtwoord"


def path_of(response) -> str:
    return urlsplit(response.location).path


def test_an_account_from_invitation_to_deactivation(app, make_organiser, meetings,
                                                    smtp_server):
    admin = logged_in(app, make_organiser, "admin")
    invited = post_form(admin, "/beheer/accounts", email=NEW, role="organiser")
    assert invited.status_code == 302
    link = mailed_link(smtp_server, NEW, "/beheer/uitnodiging/")

    # The invitation: choose a password (rules apply), once.
    person = new_client(app)
    assert NEW in person.get(link).get_data(as_text=True)
    refused = post_form(person, link, password="kort")
    assert "minstens 12 tekens" in refused.get_data(as_text=True)
    common = post_form(person, link, password="qwertyuiop123")
    assert "te makkelijk te raden" in common.get_data(as_text=True)
    assert path_of(post_form(person, link, password=NEW_PASSWORD)) == LOGIN
    assert person.get(link).status_code == 410

    # Log in with the password alone and set up the app.
    assert path_of(password_step(person, NEW, NEW_PASSWORD)) == "/beheer/"
    enrol = person.get("/beheer/tweestaps").get_data(as_text=True)
    secret = SECRET_RE.search(enrol)[1]
    assert "<svg" in enrol
    for bad in ("000000", "¹²³⁴⁵⁶", "١٢٣٤٥٦"):  # digits to isdigit(), not to compare_digest
        wrong = post_form(person, "/beheer/tweestaps", code=bad)
        assert "Deze code klopt niet" in wrong.get_data(as_text=True), bad
    shown = post_form(person, "/beheer/tweestaps", code=code_now(secret))
    codes = RECOVERY_RE.findall(shown.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    logout(person)

    # From now on: password, then the code from the app.
    second = password_step(person, NEW, NEW_PASSWORD)
    assert path_of(second) == "/beheer/inloggen/code"
    assert person.get("/beheer/").status_code == 302  # not logged in between the steps
    odd = post_form(person, "/beheer/inloggen/code", code="¹²³⁴⁵⁶")
    assert odd.status_code == 200 and "Deze code klopt niet" in odd.get_data(as_text=True)
    assert path_of(post_form(person, "/beheer/inloggen/code", code=code_now(secret, 1))) \
        == "/beheer/"
    assert person.get("/beheer/").status_code == 200
    logout(person)

    # A recovery code works once.
    password_step(person, NEW, NEW_PASSWORD)
    assert path_of(post_form(person, "/beheer/inloggen/code", code=codes[3].upper())) \
        == "/beheer/"
    logout(person)
    password_step(person, NEW, NEW_PASSWORD)
    again = post_form(person, "/beheer/inloggen/code", code=codes[3])
    assert again.status_code == 200 and "Deze code klopt niet" in again.get_data(as_text=True)
    assert path_of(post_form(person, "/beheer/inloggen/code", code=codes[4])) == "/beheer/"
    assert person.get("/beheer/").status_code == 200

    # The admin resets the factor: the open session ends, the next login is one step again.
    fresh()
    account = find_account(NEW)
    reset = post_form(admin, f"/beheer/accounts/{account.id}/tweestaps-terugzetten",
                      "/beheer/accounts")
    assert path_of(reset) == "/beheer/accounts"
    assert path_of(person.get("/beheer/")) == LOGIN
    assert path_of(password_step(person, NEW, NEW_PASSWORD)) == "/beheer/"

    # Deactivation ends the open session at once; the old cookie leads to the login page.
    assert person.get("/beheer/").status_code == 200
    post_form(admin, f"/beheer/accounts/{account.id}/uitzetten", "/beheer/accounts")
    assert path_of(person.get("/beheer/")) == LOGIN
    assert password_step(person, NEW, NEW_PASSWORD).status_code == 200

    log = admin.get("/beheer/logboek").get_data(as_text=True)
    for sentence in ("gemaakt, met de rol beheerder", "uitgenodigd als organisator",
                     "inloggen in twee stappen aangezet", "met een herstelcode ingelogd",
                     "teruggezet", "uitgezet"):
        assert sentence in log, sentence
