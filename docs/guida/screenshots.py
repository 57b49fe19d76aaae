"""Take the guide's screenshots from a throwaway copy of the living demo (`make docs`).

A temporary var dir gets a fresh SQLite database with what `make run` loads (the demo plan,
the demo accounts, the demo year); gunicorn serves it on a free port of 127.0.0.1; Debian's
Chromium, driven by Playwright, logs in as each demo account and captures the pages the guide
shows, 1366 px wide, into docs/guida/img/ (viewport-sized or clipped to a section, reduced to
a 256-colour palette). The one change made on the way is the one a reader can make on the
demo: the Dirigente proposes the draft plan, so that the controllo di gestione's approval
form, refused while a scheda has errors, can be shown. The temp dir is removed at the end.

    python docs/guida/screenshots.py            # every screenshot
    python docs/guida/screenshots.py --var DIR  # keep (and reuse) the database in DIR

Chromium: /usr/bin/chromium, or TRAGUARDO_CHROMIUM.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright

from traguardo.accounts.validators import DEMO_PASSWORDS

GUIDE = Path(__file__).resolve().parent
IMG = GUIDE / "img"
ROOT = GUIDE.parent.parent
WIDTH, HEIGHT = 1366, 768
PASSWORD = next(iter(DEMO_PASSWORDS))  # the demo accounts' public password (README)
DRAFT = "/enti/comune-esempio"
YEAR = "/enti/comune-esempio-anno"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# -- the throwaway installation ------------------------------------------------------------


def environment(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # SQLite, always
    env.update(
        TRAGUARDO_VAR_DIR=str(var),
        TRAGUARDO_PRODUCTION="0",
        TRAGUARDO_OTP_REQUIRED="0",
        TRAGUARDO_LOCKOUT="0",
        TRAGUARDO_JOBS="thread",
        TRAGUARDO_CACHE_URL="",
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "traguardo", *args], env=env, check=True)  # noqa: S603


def prepare(var: Path, env: dict[str, str]) -> None:
    if (var / "traguardo.sqlite3").exists():
        return  # --var DIR given again: the demo is already there
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    manage(env, "load_seed")
    manage(env, "create_demo_users")
    manage(env, "load_demo_year")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(env: dict[str, str], port: int) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "traguardo.wsgi",
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn non si è avviato") from None
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn non risponde")


# -- screenshots ---------------------------------------------------------------------------


class Camera:
    def __init__(self, browser, base: str) -> None:
        self.browser = browser
        self.base = base
        self.taken: list[str] = []

    def person(self, username: str | None) -> Page:
        context = self.browser.new_context(
            viewport={"width": WIDTH, "height": HEIGHT},
            locale="it-IT",
            timezone_id="Europe/Rome",
        )
        page = context.new_page()
        if username:
            page.goto(self.base + "/accesso/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.click("form button[type=submit]")
            page.wait_for_load_state()
            if "/accesso/" in page.url:
                raise SystemExit(f"accesso non riuscito come {username}")
        return page

    def go(self, page: Page, path: str) -> None:
        response = page.goto(self.base + path)
        if response is None or response.status != 200:
            raise SystemExit(f"{path}: {response.status if response else 'nessuna risposta'}")

    def shot(self, page: Page, name: str, section: str | None = None, height: int = HEIGHT):
        """The viewport from the top, or ``height`` px from the top of ``section``."""
        path = IMG / f"{name}.png"
        page.evaluate("document.fonts.ready")
        if section is None:
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=path)
        else:
            box = page.locator(section).first.evaluate(
                "e => { const r = e.getBoundingClientRect();"
                " return {top: r.top + window.scrollY, height: r.height}; }"
            )
            total = page.evaluate("document.documentElement.scrollHeight")
            top = max(0, box["top"] - 16)
            tall = min(height, box["height"] + 32, total - top)
            page.screenshot(
                path=path, full_page=True, clip={"x": 0, "y": top, "width": WIDTH, "height": tall}
            )
        optimise(path)
        self.taken.append(name)
        print(f"  {name}.png")


def optimise(path: Path) -> None:
    """A 256-colour palette: the pages are flat colours and text, a third of the size."""
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def scheda_link(page: Page, title: str) -> str:
    return page.locator("main a", has_text=title).first.get_attribute("href")


def public(cam: Camera) -> None:
    page = cam.person(None)
    cam.go(page, "/accesso/")
    cam.shot(page, "accesso")
    cam.go(page, "/trasparenza/comune-esempio-anno/")
    cam.shot(page, "trasparenza-ente")
    cam.go(page, "/trasparenza/comune-esempio-anno/2019/risultati/")
    cam.shot(page, "trasparenza-risultati")
    page.context.close()


def controllo_di_gestione(cam: Camera) -> None:
    page = cam.person("admin")
    cam.go(page, "/")
    cam.shot(page, "scelta-ente", height=420)
    # The draft plan: the checks and a scheda's segnalazioni.
    cam.go(page, f"{DRAFT}/piani/2019/")
    cam.shot(page, "cdg-piano-bozza")
    cam.go(page, f"{DRAFT}/piani/2019/?status=errori")
    cam.go(page, scheda_link(page, "PROTEZIONE DEI DATI PERSONALI"))
    cam.shot(page, "cdg-scheda-segnalazioni", section="section.anomalies", height=620)
    # The living year.
    cam.go(page, f"{YEAR}/piani/2019/")
    cam.shot(page, "cdg-stato-piano", section="section[aria-labelledby=stato-piano]")
    cam.go(page, f"{YEAR}/piani/2019/periodi/")
    cam.shot(page, "cdg-periodi")
    cam.go(page, f"{YEAR}/piani/2019/cruscotto/")
    cam.shot(page, "cdg-cruscotto")
    cam.go(page, f"{YEAR}/piani/2019/")
    cam.go(page, scheda_link(page, "Avvio procedura elenchi incarichi legali") + "rilevazioni/")
    cam.shot(page, "cdg-risultato-forzato")
    cam.go(page, f"{YEAR}/piani/2019/documenti/")
    cam.shot(page, "cdg-documenti")
    verifica = page.locator("main a[href*='/documenti/verifica/']").first.get_attribute("href")
    cam.go(page, verifica)
    cam.shot(page, "cdg-verifica")
    cam.go(page, f"{YEAR}/piani/2019/documenti/relazione/")
    cam.shot(page, "cdg-relazione")
    cam.shot(page, "cdg-relazione-scostamenti", section="#scostamenti", height=620)
    cam.go(page, f"{YEAR}/piani/2019/testi-pubblici/")
    cam.shot(page, "cdg-testi-pubblici")
    cam.go(page, f"{YEAR}/registro/")
    cam.shot(page, "cdg-registro")
    cam.go(page, f"{YEAR}/impostazioni/")
    cam.shot(page, "cdg-impostazioni")
    page.context.close()


def dirigente(cam: Camera) -> None:
    page = cam.person("serrao")
    cam.go(page, f"{DRAFT}/piani/2019/")
    cam.go(page, scheda_link(page, "Piattaforma e-procurement SINTEL"))
    cam.shot(page, "dirigente-scheda-bozza")
    page.locator("main a", has_text="Modifica").first.click()
    page.wait_for_load_state()
    cam.shot(page, "dirigente-editor")
    cam.shot(page, "dirigente-editor-indicatori", section="#campo-indicators", height=620)
    cam.go(page, f"{DRAFT}/piani/2019/")
    state = "section[aria-labelledby=stato-piano]"
    propose = page.locator(f"{state} button[type=submit]", has_text="Proponi")
    if propose.count():  # the draft is proposed once; a kept --var dir already has it
        cam.shot(page, "dirigente-proponi", section=state)
        propose.first.click()
        page.wait_for_load_state()
    cam.go(page, f"{YEAR}/piani/2019/")
    cam.go(page, scheda_link(page, "Piattaforma e-procurement SINTEL") + "rilevazioni/")
    cam.shot(page, "dirigente-rilevazioni")
    cam.go(page, f"{DRAFT}/scadenze/")  # the year's plan is closed: nothing is due there
    cam.shot(page, "dirigente-scadenze")
    cam.go(page, f"{YEAR}/calendario/")
    cam.shot(page, "dirigente-calendario", height=480)
    page.context.close()


def approvazione(cam: Camera) -> None:
    """The proposed draft, as the controllo di gestione tries to approve it."""
    page = cam.person("admin")
    cam.go(page, f"{DRAFT}/piani/2019/")
    cam.shot(page, "cdg-approvazione", section="section[aria-labelledby=stato-piano]", height=700)
    page.context.close()


def referente(cam: Camera) -> None:
    page = cam.person("referente")
    cam.go(page, f"{YEAR}/piani/2019/")
    scheda = scheda_link(page, "Calendario unico degli eventi cittadini")
    cam.go(page, scheda)
    cam.shot(page, "referente-scheda")
    cam.go(page, scheda + "rilevazioni/")
    cam.shot(page, "referente-rilevazioni")
    page.context.close()


def nucleo(cam: Camera) -> None:
    page = cam.person("nucleo")
    cam.go(page, f"{YEAR}/piani/2019/nucleo/")
    cam.shot(page, "nucleo-pagina")
    cam.go(page, f"{YEAR}/piani/2019/")
    cam.go(page, scheda_link(page, "Manifestazioni turistiche, culturali e sportive"))
    cam.shot(page, "nucleo-commento", section="#commenti", height=560)
    cam.go(page, f"{YEAR}/piani/2019/documenti/relazione/")
    cam.shot(page, "nucleo-validazione", section="#validazione", height=620)
    page.context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var", type=Path, help="keep the demo's database in this folder")
    args = parser.parse_args()
    var = args.var or Path(tempfile.mkdtemp(prefix="traguardo-guida-"))
    var.mkdir(parents=True, exist_ok=True)
    env = environment(var.resolve())
    started = time.monotonic()
    server = None
    try:
        prepare(var, env)
        port = free_port()
        server = serve(env, port)
        IMG.mkdir(exist_ok=True)
        chromium = os.environ.get("TRAGUARDO_CHROMIUM", "/usr/bin/chromium")
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium, args=[*CHROMIUM_FLAGS, "--lang=it-IT"]
            )
            cam = Camera(browser, f"http://127.0.0.1:{port}")
            for walk in (public, controllo_di_gestione, dirigente, approvazione, referente, nucleo):
                print(walk.__name__)
                walk(cam)
            browser.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if args.var is None:
            shutil.rmtree(var, ignore_errors=True)
    size = sum(path.stat().st_size for path in IMG.glob("*.png"))
    print(
        f"{len(cam.taken)} immagini in {IMG.relative_to(ROOT)} ({size / 1e6:.1f} MB), "
        f"{time.monotonic() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
