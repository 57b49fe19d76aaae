"""LibreOffice files (.odt, .ods) read like Word and Excel; old .doc/.xls converted by
LibreOffice where it is installed, refused with how to save them where it is not."""

import io
import stat
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from odf.opendocument import OpenDocumentSpreadsheet

from tests.factories import MembershipFactory, PlanFactory, UserFactory
from tests.imports.corpus import Ambiti, Spec, build_docx, build_odt
from traguardo.accounts.models import Role
from traguardo.core.domain import DomainError
from traguardo.exchange import xlsx
from traguardo.exchange.ods import plan_ods
from traguardo.exchange.ods_reading import read_ods
from traguardo.imports.convert import convert
from traguardo.imports.pipeline import prepare
from traguardo.imports.safety import check_import_file
from traguardo.imports.seed import load_seed
from traguardo.imports.stored import dump
from traguardo.jobs.models import Job
from traguardo.planning.models import Objective, Plan

MB = 10 * 1024 * 1024
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def refused(name, data):
    with pytest.raises(DomainError) as error:
        check_import_file(name, data, max_bytes=MB)
    return error.value.message


def rebuilt(data: bytes, add: dict | None = None, replace: dict | None = None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = (replace or {}).get(item.filename, source.read(item))
            target.writestr(item, body)
        for name, body in (add or {}).items():
            target.writestr(name, body)
    return out.getvalue()


def test_odt_and_ods_pass_the_safety_checks():
    assert check_import_file("schede.odt", build_odt(Spec()), max_bytes=MB) == "odt"
    buffer = io.BytesIO()
    OpenDocumentSpreadsheet().write(buffer)
    assert check_import_file("piano.ods", buffer.getvalue(), max_bytes=MB) == "ods"


def test_an_odt_with_basic_macros_or_the_wrong_mimetype_is_refused():
    data = build_odt(Spec())
    with_macro = rebuilt(data, add={"Basic/Standard/Module1.xml": "<x/>"})
    assert refused("schede.odt", with_macro) == (
        "Il file «schede.odt» contiene macro: salvarlo senza macro e riprovare."
    )
    spreadsheet = rebuilt(
        data, replace={"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}
    )
    assert refused("schede.odt", spreadsheet) == (
        "Il contenuto di «schede.odt» non corrisponde alla sua estensione."
    )
    assert refused("schede.odt", build_docx(Spec())) == (
        "Il contenuto di «schede.odt» non corrisponde alla sua estensione."
    )


def test_an_odt_with_a_dtd_is_refused_before_any_parser():
    data = build_odt(Spec())
    hostile = rebuilt(
        data,
        replace={
            "content.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
        },
    )
    assert "contiene XML non ammesso" in refused("schede.odt", hostile)


@pytest.mark.django_db
def test_the_plan_as_ods_reads_back_as_the_excel_workbook_does(admin):
    load_seed()
    with scopes_disabled():
        demo = Plan.objects.get(year=2019, authority__slug="comune-esempio")
    with scope(authority=demo.authority):
        from_ods = read_ods("piano.ods", plan_ods(demo))
        from_xlsx = xlsx.read_workbook("piano.xlsx", xlsx.plan_workbook(demo))
    assert [p.message for p in from_ods.problems if p.blocking] == []
    assert len(from_ods.schede) == 11
    ods, excel = dump(from_ods), dump(from_xlsx)
    for data in (ods, excel):
        data.pop("source_name"), data.pop("source_kind")
    assert ods == excel


def test_a_doc_is_refused_with_how_to_save_it_when_libreoffice_is_missing(settings):
    settings.TRAGUARDO_SOFFICE = "/nonexistent/soffice"
    message = refused("schede.doc", OLE)
    assert message.startswith(
        "Il file «schede.doc» è nel vecchio formato di Office, che qui non si può leggere. "
        "Salvarlo come .docx e riprovare. In Word: File › Salva con nome"
    )
    assert "Salvarlo come .xlsx" in refused("piano.xls", OLE)


def test_a_doc_that_is_not_an_office_file_is_refused(settings, tmp_path):
    settings.TRAGUARDO_SOFFICE = str(fake_soffice(tmp_path, b""))
    assert refused("schede.doc", b"PK\x03\x04 not ole") == (
        "Il contenuto di «schede.doc» non corrisponde alla sua estensione."
    )


def fake_soffice(folder, converted: bytes):
    """A stand-in for LibreOffice: writes ``converted`` where ``--convert-to`` would."""
    result = folder / "converted.bin"
    result.write_bytes(converted)
    script = folder / "soffice"
    script.write_text(
        "#!/bin/sh\n"
        'out=""; prev=""; target=""\n'
        'for a in "$@"; do\n'
        '  [ "$prev" = "--outdir" ] && out="$a"\n'
        '  [ "$prev" = "--convert-to" ] && target="$a"\n'
        '  prev="$a"\n'
        "done\n"
        'mkdir -p "$out"\n'
        f'cp "{result}" "$out/input.$target"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


@pytest.mark.django_db
def test_a_doc_is_converted_then_checked_and_read_like_a_docx(
    client, settings, tmp_path, authority, unit_a
):
    settings.TRAGUARDO_SOFFICE = str(
        fake_soffice(tmp_path, build_docx(Spec(ambiti=Ambiti(frozenset({1, 6}), order="NTB"))))
    )
    user = UserFactory(username="segreteria")
    with scopes_disabled():
        MembershipFactory(user=user, authority=authority, role=Role.ADMIN)
        PlanFactory(authority=authority, year=2019)
    client.force_login(user)
    client.post(
        reverse("plan_import", args=[authority.slug, 2019]),
        {"file": SimpleUploadedFile("schede.doc", OLE)},
    )
    with scopes_disabled():
        job = Job.objects.get(kind="imports.dry_run")
    assert job.state == "done", job.message
    review = job.result["review"]
    assert review["kind"] == "docx"
    assert [row["title"] for row in review["schede"]] == ["Gare telematiche"]
    with scopes_disabled():
        assert Objective.objects.count() == 0


def test_a_converted_file_goes_through_the_same_safety_checks(settings, tmp_path):
    """LibreOffice's output is checked as an upload: a converted file with macros is refused."""
    docx = build_docx(Spec())
    settings.TRAGUARDO_SOFFICE = str(fake_soffice(tmp_path, docx))
    name, data = convert("schede.doc", OLE, "docx")
    assert (name, check_import_file(name, data, max_bytes=MB)) == ("schede.docx", "docx")
    macro = rebuilt(docx, add={"word/vbaProject.bin": b"\x00"})
    settings.TRAGUARDO_SOFFICE = str(fake_soffice(tmp_path, macro))
    name, data = convert("schede.doc", OLE, "docx")
    assert (
        refused(name, data)
        == "Il file «schede.docx» contiene macro: salvarlo senza macro e riprovare."
    )


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_a_workbook_of_another_authority_is_said(kind, admin, authority):
    load_seed()
    with scopes_disabled():
        demo = Plan.objects.get(year=2019, authority__slug="comune-esempio")
        ours = PlanFactory(authority=authority, year=2019)
    with scope(authority=demo.authority):
        data = xlsx.plan_workbook(demo) if kind == "xlsx" else plan_ods(demo)
    read = xlsx.read_workbook if kind == "xlsx" else read_ods
    draft = read(f"piano.{kind}", data)
    assert draft.authority_names == ["Comune di Esempio"]
    with scope(authority=authority):
        result = prepare(draft, ours, admin)
    assert [p.message for p in result.problems] == [
        "Il file è intestato a «Comune di Esempio», non a «Comune di Prova»: controllare che "
        "sia un file di questo ente prima di confermare."
    ]
    with scope(authority=demo.authority):
        assert prepare(read(f"piano.{kind}", data), demo, None).problems == []
