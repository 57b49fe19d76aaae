"""The user guide (docs/guida/, Markdown) as HTML pages of the app.

The guide is written in the small part of Markdown that GitHub also renders: headings,
paragraphs, lists, pipe tables, images on a line of their own, links, ``**bold**`` and
``code``. This module renders exactly that subset, escaping everything else, so a Comune's
installation serves the guide offline with no extra dependency. Links are rewritten for the
app: ``page.md`` → the guide's page, ``img/x.png`` → the guide's image, and a code span holding
an address of the app (``/enti/…``, ``/trasparenza/…``) becomes a link to it.
"""

import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from django.conf import settings
from django.urls import reverse

INDEX = "README"
PAGE_NAME = re.compile(r"^[a-z0-9-]+$")
APP_PATH = re.compile(r"^/(?:enti|trasparenza|accesso)/[^\s]*$")
IMAGE_LINE = re.compile(r"^!\[([^\]]*)\]\(([^)\s]+)\)$")
LIST_ITEM = re.compile(r"^(?:[-*]|\d+\.)\s+")
INLINE = re.compile(
    r"(?P<code>`[^`]+`)"
    r"|!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)\)"
    r"|\[(?P<text>[^\]]+)\]\((?P<href>[^)\s]+)\)"
    r"|\*\*(?P<strong>.+?)\*\*"
)


@dataclass(frozen=True)
class Page:
    name: str
    title: str
    html: str


def guide_dir() -> Path:
    return Path(settings.GUIDE_DIR)


def page_names() -> list[str]:
    """The guide's pages: the index first, then the others by file name."""
    names = sorted(path.stem for path in guide_dir().glob("*.md") if PAGE_NAME.match(path.stem))
    return [INDEX, *names] if (guide_dir() / f"{INDEX}.md").is_file() else names


def page_file(name: str) -> Path | None:
    if name != INDEX and not PAGE_NAME.match(name):
        return None
    path = guide_dir() / f"{name}.md"
    return path if path.is_file() else None


def image_file(name: str) -> Path | None:
    if not PAGE_NAME.match(name):
        return None
    path = guide_dir() / "img" / f"{name}.png"
    return path if path.is_file() else None


def load(name: str) -> Page | None:
    path = page_file(name)
    if path is None:
        return None
    title, html = render(path.read_text(encoding="utf-8"))
    return Page(name=name, title=title or name, html=html)


# -- Markdown ------------------------------------------------------------------------------


def slug(text: str) -> str:
    """A heading's anchor, as GitHub makes it."""
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def href(target: str) -> str:
    """A link of the Markdown, pointing into the app."""
    if target.startswith(("http://", "https://", "mailto:", "/", "#")):
        return target
    path, _sep, fragment = target.partition("#")
    anchor = f"#{fragment}" if fragment else ""
    if path.endswith(".md"):
        name = path.removesuffix(".md")
        if name == INDEX:
            return reverse("guide") + anchor
        if PAGE_NAME.match(name):
            return reverse("guide_page", kwargs={"page": name}) + anchor
    if path.startswith("img/") and path.endswith(".png"):
        name = path.removeprefix("img/").removesuffix(".png")
        if PAGE_NAME.match(name):
            return reverse("guide_image", kwargs={"image": name})
    return target


def inline(text: str) -> str:
    out, end = [], 0
    for match in INLINE.finditer(text):
        out.append(escape(text[end : match.start()], quote=False))
        end = match.end()
        if match["code"]:
            code = match["code"][1:-1]
            html = f"<code>{escape(code)}</code>"
            out.append(f'<a href="{escape(code)}">{html}</a>' if APP_PATH.match(code) else html)
        elif match["src"]:
            out.append(image(match["alt"], match["src"]))
        elif match["href"]:
            out.append(f'<a href="{escape(href(match["href"]))}">{inline(match["text"])}</a>')
        else:
            out.append(f"<strong>{inline(match['strong'])}</strong>")
    out.append(escape(text[end:], quote=False))
    return "".join(out)


def image(alt: str, src: str) -> str:
    return (
        f'<img class="img-fluid guide-image" src="{escape(href(src))}" alt="{escape(alt)}"'
        ' loading="lazy">'
    )


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def render(text: str) -> tuple[str, str]:
    """(title, HTML) of a page: the title is its first ``#`` heading."""
    lines = text.splitlines()
    html: list[str] = []
    title = ""
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if not line.strip():
            i += 1
        elif line.startswith("```"):
            block = []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                block.append(lines[i])
                i += 1
            i += 1
            html.append(f"<pre><code>{escape(chr(10).join(block))}</code></pre>")
        elif heading := re.match(r"^(#{1,6})\s+(.*)$", line):
            level, words = len(heading[1]), heading[2].strip()
            if level == 1 and not title:
                title = words
            html.append(f'<h{level} id="{escape(slug(words))}">{inline(words)}</h{level}>')
            i += 1
        elif figure := IMAGE_LINE.match(line.strip()):
            html.append(
                f'<figure class="guide-figure">{image(figure[1], figure[2])}'
                f"<figcaption>{inline(figure[1])}</figcaption></figure>"
            )
            i += 1
        elif (
            line.startswith("|")
            and i + 1 < len(lines)
            and re.match(r"^\|[-:| ]+\|$", lines[i + 1].strip())
        ):
            head = cells(line)
            rows = []
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(cells(lines[i]))
                i += 1
            html.append(
                '<div class="table-responsive"><table class="table table-sm"><thead><tr>'
                + "".join(f'<th scope="col">{inline(c)}</th>' for c in head)
                + "</tr></thead><tbody>"
                + "".join(
                    "<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>" for row in rows
                )
                + "</tbody></table></div>"
            )
        elif LIST_ITEM.match(line):
            ordered = line[0].isdigit()
            items: list[str] = []
            while i < len(lines) and lines[i].strip():
                current = lines[i]
                if LIST_ITEM.match(current):
                    items.append(LIST_ITEM.sub("", current, count=1).strip())
                else:  # a continuation line of the item
                    items[-1] += " " + current.strip()
                i += 1
            tag = "ol" if ordered else "ul"
            html.append(
                f"<{tag}>" + "".join(f"<li>{inline(item)}</li>" for item in items) + f"</{tag}>"
            )
        else:
            paragraph = [line.strip()]
            i += 1
            while i < len(lines) and lines[i].strip() and not _starts_block(lines, i):
                paragraph.append(lines[i].strip())
                i += 1
            html.append(f"<p>{inline(' '.join(paragraph))}</p>")
    return title, "\n".join(html)


def _starts_block(lines: list[str], i: int) -> bool:
    line = lines[i]
    return bool(
        line.startswith(("#", "```", "|")) or LIST_ITEM.match(line) or IMAGE_LINE.match(line)
    )
