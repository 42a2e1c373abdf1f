"""The web layout every service's pages share: one Jinja2 environment with the base layout, one
stylesheet, and the reader's language (bokmål by default; nynorsk and English by `?lang=` or a cookie).

A service passes its own `templates/` folder to `create_environment` and names a template by its path
in it: `pages/…` for participants' pages (which extend `base.html`), `staff/…` for the console (which
extend `staff/layout.html`); notifications' messages live apart in `templates/messages/<language>/`. It
mounts the stylesheet with `mount_static(app)` and renders with `page(...)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from shared.texts import texts_for
from shared.vocabulary import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
STATIC_PATH = "/static"

LANGUAGE_COOKIE = "lang"

# The layout's own few words; each service brings the texts of its pages.
LAYOUT_TEXTS = {
    "nb": {"skip": "Gå til hovedinnholdet", "language": "Språk", "error_prefix": "Feil"},
    "nn": {"skip": "Gå til hovudinnhaldet", "language": "Språk", "error_prefix": "Feil"},
    "en": {"skip": "Skip to main content", "language": "Language", "error_prefix": "Error"},
}

# Pages may show a person's own data or carry a private link: never cache them, never leak the URL.
PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def create_environment(*template_dirs: Path) -> Environment:
    """Templates from the service's folders first, then the shared layout (`base.html`)."""
    environment = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in (*template_dirs, TEMPLATES)]),
        autoescape=select_autoescape(("html",), default_for_string=True),
        undefined=StrictUndefined,  # a missing text is a bug to see in tests, not a blank on a page
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.update(languages=LANGUAGE_NAMES, layout_texts=LAYOUT_TEXTS, static_path=STATIC_PATH)
    return environment


def mount_static(app: FastAPI) -> None:
    # check_dir=False: a build that left the stylesheet out serves plain pages, it does not stop the service.
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC, check_dir=False), name="static")


def choose_language(request: Request) -> str:
    """`?lang=` wins, then the cookie, then bokmål."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(LANGUAGE_COOKIE)
    return remembered if remembered in LANGUAGES else DEFAULT_LANGUAGE


def remember_language(request: Request, response: Any, language: str) -> None:
    """Only a language the reader chose is remembered: no cookie for someone who never chose."""
    if request.query_params.get("lang") == language:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, httponly=True, samesite="lax")


def page(
    environment: Environment,
    template: str,
    request: Request,
    language: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    html = environment.get_template(template).render(
        lang=language, path=request.url.path, layout=texts_for(LAYOUT_TEXTS, language), **context
    )
    response = HTMLResponse(html, status_code=status_code, headers=PRIVATE_HEADERS)
    remember_language(request, response, language)
    return response


def redirect(request: Request, url: str, language: str) -> RedirectResponse:
    """303 See Other after a POST, so a reload never submits twice."""
    response = RedirectResponse(url, status_code=303, headers=PRIVATE_HEADERS)
    remember_language(request, response, language)
    return response
