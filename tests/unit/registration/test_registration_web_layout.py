"""The shared web layout: the reader's language and the base page."""

import pytest
from starlette.requests import Request

from shared.web import LANGUAGE_COOKIE, choose_language, create_environment, page

pytestmark = pytest.mark.unit


def request(query: str = "", cookie: str | None = None) -> Request:
    headers = [(b"cookie", f"{LANGUAGE_COOKIE}={cookie}".encode())] if cookie else []
    return Request(
        {"type": "http", "method": "GET", "path": "/", "query_string": query.encode(), "headers": headers}
    )


def test_the_link_wins_then_the_cookie_then_bokmal():
    assert choose_language(request()) == "nb"
    assert choose_language(request(cookie="en")) == "en"
    assert choose_language(request("lang=nn", cookie="en")) == "nn"
    assert choose_language(request("lang=de", cookie="xx")) == "nb"


def test_a_page_has_its_language_a_skip_link_and_remembers_a_chosen_language(tmp_path):
    (tmp_path / "hello.html").write_text(
        '{% extends "base.html" %}{% block content %}<p>Hei</p>{% endblock %}'
    )
    response = page(
        create_environment(tmp_path), "hello.html", request("lang=nn"), "nn", site_name="S", page_title="T"
    )
    html = response.body.decode()
    assert '<html lang="nn">' in html and 'href="#main"' in html and "<p>Hei</p>" in html
    assert 'aria-current="true">Nynorsk' in html
    assert f"{LANGUAGE_COOKIE}=nn" in response.headers["set-cookie"]
    assert response.headers["cache-control"] == "no-store"


def test_the_layout_escapes_what_it_is_given(tmp_path):
    (tmp_path / "x.html").write_text('{% extends "base.html" %}{% block content %}{{ value }}{% endblock %}')
    response = page(
        create_environment(tmp_path),
        "x.html",
        request(),
        "nb",
        site_name="S",
        page_title="T",
        value="<script>",
    )
    assert "&lt;script&gt;" in response.body.decode()


def test_no_cookie_is_set_for_a_reader_who_never_chose_a_language(tmp_path):
    (tmp_path / "x.html").write_text('{% extends "base.html" %}')
    response = page(create_environment(tmp_path), "x.html", request(), "nb", site_name="S", page_title="T")
    assert "set-cookie" not in response.headers
