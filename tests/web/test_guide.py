"""The user guide (docs/guida/): what it names exists, what it cites answers, the app serves it.

No browser: the screenshots are checked as files (each named by a page, each taken by
docs/guida/screenshots.py, none left over), the addresses of the app a page cites (written as
code, `/enti/…`) are fetched with the test client on the living demo, as the demo account the
page is about and anonymously.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from traguardo.accounts.demo import DEMO_ACCOUNTS
from traguardo.accounts.models import User
from traguardo.imports.demo_year import load_demo_year
from traguardo.web import guide

GUIDE = Path(settings.GUIDE_DIR)
PAGES = sorted(GUIDE.glob("*.md"))
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
LINK = re.compile(r"(?<!!)\[[^\]]+\]\(([^)\s]+)\)")
CITED = re.compile(r"`(/[^`\s]*)`")
PERSONA = re.compile(r"account dimostrativo: `([a-z]+)`")
HEADING = re.compile(r"^#{1,6}\s+(.*)$", re.MULTILINE)
PUBLIC = ("/trasparenza/", "/accesso/")  # answered without a login


def text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def persona(page: Path) -> str:
    """The demo account a page is written for (the index: the controllo di gestione)."""
    found = PERSONA.search(text(page))
    return found[1] if found else "admin"


def test_the_guide_has_an_index_and_a_page_per_role():
    assert {page.stem for page in PAGES} >= {
        "README",
        "controllo-di-gestione",
        "dirigente",
        "referente",
        "nucleo",
    }
    roles = {persona(page) for page in PAGES if page.stem != "README"}
    assert roles == {account.username for account in DEMO_ACCOUNTS}


def test_every_screenshot_the_guide_names_exists_and_the_script_takes_it():
    script = (GUIDE / "screenshots.py").read_text(encoding="utf-8")
    taken = set(re.findall(r'cam\.shot\(\s*page,\s*"([a-z0-9-]+)"', script))
    named = set()
    for page in PAGES:
        for target in IMAGE.findall(text(page)):
            assert re.fullmatch(r"img/[a-z0-9-]+\.png", target), f"{page.name}: {target}"
            assert (GUIDE / target).is_file(), f"{page.name}: manca {target} (make docs)"
            named.add(target.removeprefix("img/").removesuffix(".png"))
    assert len(named) >= 20
    # Every picture comes from the script, so `make docs` keeps it true to the pages.
    assert named - taken == set(), "immagini che lo script non produce"
    assert taken - named == set(), "immagini prodotte dallo script e non usate dalla guida"
    on_disk = {path.stem for path in (GUIDE / "img").glob("*.png")}
    assert on_disk - named == set(), "immagini non più usate dalla guida"


def test_every_link_between_the_pages_reaches_a_page_and_a_heading():
    checked = 0
    for page in PAGES:
        for target in LINK.findall(text(page)):
            if target.startswith(("http://", "https://", "/")):
                continue
            path, _sep, anchor = target.partition("#")
            linked = GUIDE / path if path else page
            assert linked.is_file(), f"{page.name}: {target}"
            if anchor:
                headings = {guide.slug(h) for h in HEADING.findall(text(linked))}
                assert anchor in headings, f"{page.name}: {target} (titolo inesistente)"
            checked += 1
    assert checked >= 8


@pytest.mark.django_db
def test_every_address_the_guide_cites_answers_for_its_persona(settings, tmp_path, demo):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo_year()
    anonymous = Client()
    cited = 0
    for page in PAGES:
        username = persona(page)
        member = Client()
        with scopes_disabled():
            member.force_login(User.objects.get(username=username))
        for url in sorted(set(CITED.findall(text(page)))):
            if not url.startswith(("/enti/", *PUBLIC)):
                continue  # a command or a file name, not an address of the app
            cited += 1
            response = anonymous.get(url)
            if url.startswith(PUBLIC):
                assert response.status_code == 200, f"{page.name}: {url} → {response.status_code}"
                continue
            assert response.status_code == 302, f"{page.name}: {url} senza accesso"
            assert response["Location"].startswith(reverse("login")), url
            response = member.get(url)
            assert response.status_code == 200, (
                f"{page.name}: {url} → {response.status_code} per {username}"
            )
    assert cited >= 25


@pytest.mark.django_db
def test_the_app_serves_the_guide_with_its_pictures(personas):
    client = Client()
    assert client.get(reverse("guide"))["Location"].startswith(reverse("login"))
    client.force_login(personas["contributor"])
    index = client.get(reverse("guide")).content.decode()
    assert "<h1" in index and "Guida a Traguardo" in index
    images = set()
    for page in PAGES:
        if page.stem == "README":
            continue
        url = reverse("guide_page", args=[page.stem])
        assert f'href="{url}"' in index  # the contents list every page
        body = client.get(url).content.decode()
        assert re.search(r"<h1[^>]*>", body), page.name
        assert ".md" not in re.sub(r"<code>.*?</code>", "", body), "collegamento non riscritto"
        images |= set(re.findall(r'src="(/guida/img/[a-z0-9-]+\.png)"', body))
    assert images
    for src in images:
        response = client.get(src)
        assert response.status_code == 200 and response["Content-Type"] == "image/png", src
    assert client.get(reverse("guide_page", args=["inesistente"])).status_code == 404
    assert client.get(reverse("guide_image", args=["inesistente"])).status_code == 404
    assert client.get("/guida/..%2Fsettings/").status_code == 404


@pytest.mark.django_db
def test_the_footer_links_the_guide_for_who_is_logged_in(client, personas):
    assert reverse("guide") not in client.get(reverse("login")).content.decode()
    client.force_login(personas["viewer"])
    response = client.get(reverse("home"), follow=True)
    assert f'href="{reverse("guide")}"' in response.content.decode()


def test_the_markdown_is_escaped_and_its_links_point_into_the_app():
    title, html = guide.render(
        "# Titolo <b>\n\n"
        "Testo con <script>alert(1)</script>, **grassetto**, `/enti/x/piani/` e `make docs`;\n"
        "[altra pagina](dirigente.md#1-le-proprie-schede), [indice](README.md), "
        "[sito](https://example.org/).\n\n"
        "![Figura](img/accesso.png)\n\n"
        "- uno\n  continua\n- due\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    assert title == "Titolo <b>"
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<h1" in html and "Titolo &lt;b&gt;" in html
    assert "<strong>grassetto</strong>" in html
    assert '<a href="/enti/x/piani/"><code>/enti/x/piani/</code></a>' in html
    assert "<code>make docs</code>" in html and 'href="make' not in html
    assert 'href="/guida/dirigente/#1-le-proprie-schede"' in html
    assert 'href="/guida/"' in html and 'href="https://example.org/"' in html
    assert 'src="/guida/img/accesso.png"' in html and "<figcaption>Figura</figcaption>" in html
    assert "<li>uno continua</li><li>due</li>" in html
    assert '<th scope="col">a</th>' in html and "<td>2</td>" in html
    assert guide.slug("7. La revisione dei testi pubblici e l'ente") == (
        "7-la-revisione-dei-testi-pubblici-e-lente"
    )
