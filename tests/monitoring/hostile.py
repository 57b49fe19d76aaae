"""A hostile-evidence corpus, built here: each function returns the bytes of one file."""

import io
import zipfile
import zlib

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject


def pdf(*, pages: int = 1, change=None, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(200, 200)
    if change is not None:
        change(writer)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = pdf()


def pdf_with_javascript() -> bytes:
    def javascript(writer):
        action = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('ciao');"),
            }
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)

    return pdf(change=javascript)


def pdf_with_launch() -> bytes:
    def launch(writer):
        action = DictionaryObject(
            {
                NameObject("/S"): NameObject("/Launch"),
                NameObject("/F"): TextStringObject("C:\\Windows\\System32\\calc.exe"),
            }
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)

    return pdf(change=launch)


def pdf_with_attachment() -> bytes:
    return pdf(change=lambda w: w.add_attachment("fattura.exe", b"MZ" + b"\x00" * 64))


def pdf_with_hidden_javascript() -> bytes:
    """A JavaScript action whose name is hex-escaped (#61 = a), in a hand-written PDF whose
    cross-reference table is computed here."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 100 100]>>",
        b"<</S/J#61vaScript/J#53 (app.alert\\(1\\))>>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def html_behind_a_pdf_header(padding: int = 0) -> bytes:
    return (
        b"%PDF-1.7\n"
        + b" " * padding
        + b"<!doctype html><html><body><script>fetch('/enti/')</script></body></html>"
    )


def zip_bytes(parts: dict[str, bytes | str], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def pdf_zip_polyglot() -> bytes:
    return PDF + zip_bytes({"payload.html": "<html></html>"})


RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    "{}</Relationships>"
)
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def relationship(rid: str, kind: str, target: str, external: bool = False) -> str:
    mode = ' TargetMode="External"' if external else ""
    return f'<Relationship Id="{rid}" Type="{OFFICE}/{kind}" Target="{target}"{mode}/>'


def docx(extra: dict[str, str] | None = None) -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": "<Types/>",
            "_rels/.rels": RELS.format(relationship("rId1", "officeDocument", "word/document.xml")),
            "word/document.xml": "<w:document/>",
            **(extra or {}),
        }
    )


def docx_with_remote_template() -> bytes:
    return docx(
        {
            "word/settings.xml": "<w:settings/>",
            "word/_rels/settings.xml.rels": RELS.format(
                relationship(
                    "rId1", "attachedTemplate", "http://198.51.100.9/modello.dotm", external=True
                )
            ),
        }
    )


def docx_with_a_hyperlink() -> bytes:
    return docx(
        {
            "word/_rels/document.xml.rels": RELS.format(
                relationship(
                    "rId5", "hyperlink", "https://www.comune.example.it/albo", external=True
                )
            )
        }
    )


def xlsx(extra: dict[str, str] | None = None) -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": "<Types/>",
            "xl/workbook.xml": "<workbook/>",
            "xl/_rels/workbook.xml.rels": RELS.format(
                relationship("rId1", "worksheet", "worksheets/sheet1.xml")
            ),
            "xl/worksheets/sheet1.xml": "<worksheet/>",
            **(extra or {}),
        }
    )


def xlsx_with_external_link() -> bytes:
    return xlsx(
        {
            "xl/externalLinks/externalLink1.xml": "<externalLink/>",
            "xl/externalLinks/_rels/externalLink1.xml.rels": RELS.format(
                relationship(
                    "rId1", "externalLinkPath", "file:///\\\\198.51.100.9\\c$\\dati.xlsx", True
                )
            ),
        }
    )


def xlsx_zip_bomb(declared_mb: int = 90) -> bytes:
    """A sheet of ``declared_mb`` MB of the same byte, deflated to a few hundred KB; written in
    chunks so that building it does not hold the whole sheet in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b"0" * (1024 * 1024)
            for _ in range(declared_mb):
                sheet.write(chunk)
    return out.getvalue()


def docx_with_many_entries(count: int) -> bytes:
    return docx({f"word/media/image{n}.png": "" for n in range(count)})


ODT_TYPE = "application/vnd.oasis.opendocument.text"


def odt(content: str = "<office:document-content/>", extra=None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", ODT_TYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink"'
)


def odt_with_remote_image() -> bytes:
    return odt(
        f"<office:document-content {ODF_NS}><office:body><office:text><draw:frame>"
        '<draw:image xlink:href="http://198.51.100.9/pixel.png" xlink:type="simple"/>'
        "</draw:frame></office:text></office:body></office:document-content>"
    )


def odt_with_a_hyperlink() -> bytes:
    return odt(
        f"<office:document-content {ODF_NS}><office:body><office:text><text:p>"
        '<text:a xlink:href="https://www.comune.example.it/" xlink:type="simple">albo</text:a>'
        "</text:p></office:text></office:body></office:document-content>"
    )


def odt_with_basic_macro() -> bytes:
    return odt(extra={"Basic/Standard/Module1.xml": "<script:module/>"})


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 102, 204)).save(out, "PNG")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 102, 204)).save(out, "JPEG")
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width`` × ``height`` pixels, with one tiny data chunk."""
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )
