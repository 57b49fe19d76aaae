"""One Typst compile in a process of its own (``python -m traguardo.reports.typeset TASK``).

Typst keeps what it memoised during a compile for the life of the process and does not give
it back (measured: RSS grows by about 70 MiB per 50 schede laid out, compile after compile),
so the plan is laid out in a short-lived process whose memory returns to the system when it
exits. This module imports neither Django nor the project: ``reports/paper.py`` writes the
task (template, data file, fonts, output path) as JSON.
"""

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

# PDF/A-2a (archivable, tagged) and PDF/UA-1 (accessible): as reports/paper.py STANDARDS.
STANDARDS: tuple[Literal["a-2a", "ua-1"], ...] = ("a-2a", "ua-1")


def run(task: dict) -> None:
    import typst

    fonts = typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=True, font_paths=task["fonts"]
    )
    compiler = typst.Compiler(
        input=task["input"],
        root=task["root"],
        font_paths=fonts,
        ignore_system_fonts=True,
        sys_inputs={"data": Path(task["data"]).read_text(encoding="utf-8")},
    )
    if task.get("query"):
        # The first pass of a plan laid out in parts: where each unit and scheda starts,
        # and the part's last page (reports/typst/plan.typ's <start> marks).
        marks = json.loads(compiler.query("<start>", field="value"))
        starts = {m["key"]: m["page"] for m in marks}
        found = {"pages": starts.pop("end"), "starts": starts}
        Path(task["output"]).write_text(json.dumps(found), encoding="utf-8")
        return
    compiler.compile(
        output=task["output"],
        format="pdf",
        pdf_standards=list(STANDARDS),
        timestamp=datetime.fromtimestamp(task["timestamp"], UTC),
    )


if __name__ == "__main__":
    run(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))
