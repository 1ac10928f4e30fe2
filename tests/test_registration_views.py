"""The registration form and the personal page, as a browser without JavaScript uses them."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from regio.db import db
from regio.mail.outbox import Kind
from regio.meetings.models import Meeting
from regio.registrations.models import ROLES, Registration, Status
from tests.booking_helpers import book, mails, reload, set_capacity
from tests.conftest import csrf_token

URL = "/bijeenkomsten/zwolle"
CHECK = "/bijeenkomsten/zwolle/bevestig-je-e-mail"


def valid(**changes) -> dict:
    data = {"name": "Anna de Vries", "email": "anna@school.nl", "role": "po",
            "organisation": "", "needs": "", "consent": "y"}
    data.update(changes)
    return data


def post(client, data: dict, url: str = URL, with_token: bool = True):
    if with_token:
        data = {"csrf_token": csrf_token(client, url), **data}
    return client.post(url, data=data)


def registrations() -> list[Registration]:
    return list(db.session.execute(select(Registration).order_by(Registration.id)).scalars())


def error_beside(page: str, field: str) -> str | None:
    """The error text tied to `field` through aria-describedby, or None."""
    match = re.search(rf'<p class="error" id="{field}-error">.*?</span>(.*?)</p>', page, re.S)
    return match[1].strip() if match else None


def test_form_has_the_public_field_names_and_accessible_markup(client, meetings):
    page = client.get(URL).get_data(as_text=True)
    for name in ("name", "email", "role", "organisation", "needs", "consent", "under_16",
                 "guardian_consent", "guardian_email", "bron", "csrf_token"):
        assert f'name="{name}"' in page
    assert "novalidate" in page
    assert 'autocomplete="email"' in page and 'autocomplete="name"' in page
    assert page.count("(niet verplicht)") == 2
    assert "We wissen uw gegevens op" in page
    assert 'href="/privacy"' in page
    assert "disabled" not in page


@pytest.mark.parametrize("role", ROLES)
def test_each_role_registers_and_lands_on_the_check_page(client, meetings, role):
    response = post(client, valid(role=role, email=f"{role}@school.nl"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(CHECK)
    [registration] = registrations()
    assert registration.role == role and registration.status == Status.HELD
    assert "Kijk in uw e-mail" in client.get(CHECK).get_data(as_text=True)


def test_known_and_new_addresses_see_exactly_the_same_answer(client, meetings):
    first = post(client, valid())
    second = post(client, valid(name="Iemand Anders"))
    assert (first.status_code, first.headers["Location"]) == (
        second.status_code, second.headers["Location"])
    assert len(registrations()) == 1
    assert len(mails(Kind.LINK_AGAIN)) == 1


def test_source_from_the_qr_link_is_kept_and_stored(client, meetings):
    page = client.get(URL + "?bron=poster").get_data(as_text=True)
    assert 'name="bron" type="hidden" value="poster"' in page
    post(client, valid(bron="poster"))
    assert registrations()[0].source == "poster"


def test_a_malformed_source_is_dropped_not_refused(client, meetings):
    assert post(client, valid(bron="<script>")).status_code == 303
    assert registrations()[0].source is None


def test_free_text_names_are_accepted_and_shown_harmlessly(client, meetings):
    name = '=HYPERLINK("x") + <b>@Piet</b>'
    assert post(client, valid(name=name, organisation="+31 =SUM(1)")).status_code == 303
    registration = registrations()[0]
    assert registration.name == name
    token = mails(Kind.CONFIRM_EMAIL)[0].payload["token"]
    page = client.get(f"/aanmelding/{token}").get_data(as_text=True)
    assert "&lt;b&gt;@Piet&lt;/b&gt;" in page and "<b>@Piet" not in page


BAD_INPUT = [
    ({"name": ""}, "name", "Vul uw naam in."),
    ({"name": "   "}, "name", "Vul uw naam in."),
    ({"name": "x" * 201}, "name", "Gebruik hoogstens 200 tekens."),
    ({"name": "Anna\x00"}, "name", "Gebruik alleen gewone letters"),
    ({"name": "Anna\u202e"}, "name", "Gebruik alleen gewone letters"),
    ({"email": ""}, "email", "Vul uw e-mailadres in."),
    ({"email": "anna@"}, "email", "Vul een geldig e-mailadres in"),
    ({"email": "a" * 250 + "@x.nl"}, "email", "Gebruik hoogstens 254 tekens."),
    ({"role": ""}, "role", "Kies wie u bent."),
    ({"role": "directeur"}, "role", "Kies wie u bent."),
    ({"organisation": "o" * 201}, "organisation", "Gebruik hoogstens 200 tekens."),
    ({"needs": "n" * 501}, "needs", "Gebruik hoogstens 500 tekens."),
    ({"consent": ""}, "consent", "Geef toestemming"),
    ({"role": "leerling", "under_16": "y"}, "guardian_consent", "toestemming nodig"),
    ({"role": "leerling", "under_16": "y", "guardian_consent": "y"}, "guardian_email",
     "Vul het e-mailadres van uw ouder of voogd in."),
    ({"role": "leerling", "under_16": "y", "guardian_consent": "y", "guardian_email": "nee"},
     "guardian_email", "Vul een geldig e-mailadres in"),
]


@pytest.mark.parametrize("changes,field,message", BAD_INPUT)
def test_bad_input_gets_a_dutch_message_beside_the_field_and_keeps_the_rest(
        client, meetings, changes, field, message):
    data = valid(**({"organisation": "Basisschool De Linde"} | changes))
    if changes.get("consent") == "":
        del data["consent"]
    response = post(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in (error_beside(page, field) or "")
    assert f'href="#{field}"' in page  # the summary links to the field
    if field != "organisation":
        assert 'value="Basisschool De Linde"' in page  # nothing the person typed is lost
    assert registrations() == []


def test_guardian_fields_are_ignored_for_everyone_but_young_pupils(client, meetings):
    response = post(client, valid(role="ouder", under_16="y", guardian_email="nee"))
    assert response.status_code == 303
    registration = registrations()[0]
    assert registration.guardian_email is None and registration.is_under_16 is False


def test_young_pupil_with_consent_registers_and_the_guardian_gets_a_notice(client, meetings):
    response = post(client, valid(role="leerling", under_16="y", guardian_consent="y",
                                  guardian_email="ouder@thuis.nl"))
    assert response.status_code == 303
    [notice] = mails(Kind.GUARDIAN_NOTICE)
    assert notice.recipient == "ouder@thuis.nl"


@pytest.mark.parametrize("token", [None, "", "forged", "x" * 5000])
def test_missing_or_bad_csrf_token_reshows_the_form_with_the_input(client, meetings, token):
    data = valid(name="Trage Invuller")
    if token is not None:
        data["csrf_token"] = token
    response = post(client, data, with_token=False)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Uw formulier was verlopen" in page
    assert 'value="Trage Invuller"' in page
    assert registrations() == []


def test_unknown_meeting_is_a_404_for_get_and_post(client, meetings):
    assert client.get("/bijeenkomsten/utrecht").status_code == 404
    assert client.post("/bijeenkomsten/utrecht", data=valid()).status_code == 404


def test_closed_meeting_shows_the_reason_instead_of_the_form(client, meetings):
    meeting = db.session.get(Meeting, meetings["zwolle"].id)
    meeting.is_open = False
    db.session.commit()
    page = client.get(URL).get_data(as_text=True)
    assert "gesloten" in page and 'name="email"' not in page


def test_meeting_closed_between_form_and_submit_says_so(client, meetings):
    token = csrf_token(client, URL)
    meeting = db.session.get(Meeting, meetings["zwolle"].id)
    meeting.is_cancelled = True
    db.session.commit()
    response = client.post(URL, data={"csrf_token": token, **valid()})
    assert response.status_code == 409
    assert "geannuleerd" in response.get_data(as_text=True)


def test_full_meeting_offers_the_waiting_list(client, meetings):
    meeting = set_capacity(meetings["zwolle"], 1)
    book(meeting, 1)
    page = client.get(URL).get_data(as_text=True)
    assert "wachtlijst" in page
    post(client, valid())
    assert registrations()[-1].status == Status.WAITING


# --- hypothesis: no input makes the form answer 5xx -------------------------------------------

text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=text, email=text, role=st.one_of(st.sampled_from(ROLES), text),
       organisation=text, needs=text, consent=st.sampled_from(["y", "", "n", "on"]),
       under_16=st.sampled_from(["", "y"]), guardian_email=text, bron=text)
def test_no_form_input_causes_a_server_error(client, meetings, name, email, role, organisation,
                                             needs, consent, under_16, guardian_email, bron):
    response = post(client, {"name": name, "email": email, "role": role,
                             "organisation": organisation, "needs": needs, "consent": consent,
                             "under_16": under_16, "guardian_consent": "y",
                             "guardian_email": guardian_email, "bron": bron})
    assert response.status_code in (303, 409, 422)


# --- the personal page ----------------------------------------------------------------------


def registered(client) -> str:
    """Register Anna through the form; the token from the mail she got."""
    post(client, valid())
    return [m for m in mails() if m.recipient == "anna@school.nl"][-1].payload["token"]


def confirm_on_page(client, token: str):
    """Press "Bevestig mijn aanmelding" on the personal page, as the person would."""
    return post(client, {}, url=f"/aanmelding/{token}")


def test_opening_the_link_changes_nothing_the_button_confirms(client, meetings):
    token = registered(client)
    for _ in range(2):  # a mail scanner, then the person
        page = client.get(f"/aanmelding/{token}").get_data(as_text=True)
        assert "Bevestig mijn aanmelding" in page and "Anna de Vries" in page
        assert registrations()[0].status == Status.HELD
        assert registrations()[0].email_verified_at is None
    form_token = csrf_token(client, f"/aanmelding/{token}")
    response = client.post(f"/aanmelding/{token}", data={"csrf_token": form_token})
    assert response.status_code == 303
    page = client.get(f"/aanmelding/{token}").get_data(as_text=True)
    assert "Uw plaats is bevestigd" in page and "Bevestig mijn aanmelding" not in page
    db.session.expire_all()
    assert registrations()[0].status == Status.CONFIRMED
    assert len(mails(Kind.CONFIRMED)) == 1
    # Pressed again (a second tab): nothing more.
    client.post(f"/aanmelding/{token}", data={"csrf_token": form_token})
    assert len(mails(Kind.CONFIRMED)) == 1


def test_confirm_works_from_another_browser_hours_later(app, client, meetings):
    """The form's token is bound to the link, not to a session: a fresh browser (no cookie)
    can send the form a page showed elsewhere."""
    token = registered(client)
    form_token = csrf_token(client, f"/aanmelding/{token}")
    other_browser = app.test_client()
    response = other_browser.post(f"/aanmelding/{token}", data={"csrf_token": form_token})
    assert response.status_code == 303
    assert registrations()[0].status == Status.CONFIRMED


@pytest.mark.parametrize("data, headers", [
    ({}, {}),  # no token at all: a blind POST
    ({"csrf_token": "0" * 40}, {}),  # a guessed token
    (None, {"Origin": "https://evil.example"}),  # the right token from another site
])
def test_confirm_without_a_valid_form_is_refused(client, meetings, data, headers):
    token = registered(client)
    if data is None:
        data = {"csrf_token": csrf_token(client, f"/aanmelding/{token}")}
    response = client.post(f"/aanmelding/{token}", data=data, headers=headers)
    assert response.status_code == 400
    assert "Dit formulier is niet geldig" in response.get_data(as_text=True)
    assert registrations()[0].status == Status.HELD


def test_personal_page_is_private(client, meetings):
    token = registered(client)
    response = client.get(f"/aanmelding/{token}")
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
    lambda t: t[:10],
    lambda t: t + "x",
    lambda t: t.upper(),
    lambda t: "../" + t,
    lambda t: "%00" + t,
    lambda t: "x" * 2000,
])
def test_tampered_links_are_a_dutch_404(client, meetings, mangle):
    token = registered(client)
    for suffix in ("", "/afmelden", "/wisselen", "/wissen"):
        response = client.get(f"/aanmelding/{mangle(token)}{suffix}")
        assert response.status_code == 404
        assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_cancel_asks_first_then_cancels(client, meetings):
    token = registered(client)
    page = client.get(f"/aanmelding/{token}/afmelden").get_data(as_text=True)
    assert "Ja, meld mij af" in page
    assert registrations()[0].status == Status.HELD
    response = post(client, {}, url=f"/aanmelding/{token}/afmelden")
    assert response.status_code == 303
    assert registrations()[0].status == Status.CANCELLED
    page = client.get(f"/aanmelding/{token}").get_data(as_text=True)
    assert "U bent afgemeld" in page and "Afmelden</a>" not in page


def test_cancel_without_csrf_token_is_refused_with_400(client, meetings):
    token = registered(client)
    response = client.post(f"/aanmelding/{token}/afmelden")
    assert response.status_code == 400
    assert "Dit formulier is niet geldig" in response.get_data(as_text=True)
    assert registrations()[0].status == Status.HELD


def test_switch_meeting_through_the_personal_page(client, meetings):
    token = registered(client)
    confirm_on_page(client, token)
    page = client.get(f"/aanmelding/{token}/wisselen").get_data(as_text=True)
    assert "Rotterdam" in page and 'value="zwolle"' not in page
    response = post(client, {"meeting": "rotterdam"}, url=f"/aanmelding/{token}/wisselen")
    assert response.status_code == 303
    registration = registrations()[0]
    assert registration.meeting.slug == "rotterdam" and registration.status == Status.CONFIRMED


@pytest.mark.parametrize("choice", ["", "utrecht", "zwolle"])
def test_switch_to_an_impossible_choice_gets_a_message(client, meetings, choice):
    token = registered(client)
    response = post(client, {"meeting": choice}, url=f"/aanmelding/{token}/wisselen")
    assert response.status_code == 422
    assert "Kies een bijeenkomst." in response.get_data(as_text=True)


def test_erase_my_data_then_the_link_is_gone(client, meetings):
    token = registered(client)
    response = post(client, {}, url=f"/aanmelding/{token}/wissen")
    assert response.status_code == 200
    assert "gewist" in response.get_data(as_text=True)
    assert registrations()[0].email is None
    for suffix in ("", "/afmelden", "/wisselen", "/wissen"):
        assert client.get(f"/aanmelding/{token}{suffix}").status_code == 410


def test_waiting_list_position_is_shown(client, meetings):
    meeting = set_capacity(meetings["zwolle"], 1)
    book(meeting, 1)
    book(meeting, 2)
    token = registered(client)
    page = client.get(f"/aanmelding/{token}").get_data(as_text=True)
    assert "U staat op de wachtlijst" in page and "wachtlijst: 2" in page


@pytest.mark.parametrize("app_settings", [{"RATELIMIT_ENABLED": True,
                                           "REGIO_LIMIT_REGISTER_EMAIL": "2 per hour"}])
def test_one_address_cannot_flood_a_mailbox(client, meetings, app_settings):
    from regio.extensions import limiter

    limiter.reset()
    for _ in range(4):
        assert post(client, valid()).status_code == 303
    assert len(mails(Kind.LINK_AGAIN)) == 1  # the first created it, the second resent it
    limiter.reset()


@pytest.mark.parametrize("app_settings", [{"RATELIMIT_ENABLED": True,
                                           "REGIO_LIMIT_REGISTER_IP": "3 per minute"}])
def test_registration_is_rate_limited_per_ip_with_a_dutch_page(client, meetings, app_settings):
    from regio.extensions import limiter

    limiter.reset()
    codes = [post(client, valid(email=f"p{n}@school.nl")).status_code for n in range(5)]
    assert codes[:3] == [303, 303, 303] and codes[3] == 429
    assert "Even wachten" in post(client, valid()).get_data(as_text=True)
    limiter.reset()


def test_promoted_person_sees_the_new_status(client, meetings, now):
    meeting = set_capacity(meetings["zwolle"], 1)
    _first, first_token = book(meeting, 1, confirm=True)
    token = registered(client)
    confirm_on_page(client, token)
    post(client, {}, url=f"/aanmelding/{first_token}/afmelden")
    assert reload(registrations()[-1]).status == Status.CONFIRMED
