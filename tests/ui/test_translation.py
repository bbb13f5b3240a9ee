"""Service messages and widget texts both reach the translator."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

from desktop.errors import InvalidInput
from desktop.services.customers import CustomerDetails, check_details
from desktop.ui.lookup_panel import LookupPanel
from desktop.ui.messages import FieldErrors

TS = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="pt_BR">
<context><name></name>
<message><source>Enter the customer's first name.</source><translation>Informe o nome do cliente.</translation></message>
</context>
<context><name>LookupPanel</name>
<message><source>Phone (any format or last 4 digits), name or email — F2</source>
<translation>Telefone (qualquer formato ou 4 últimos dígitos), nome ou e-mail — F2</translation></message>
</context>
</TS>
"""


def _lrelease() -> str:
    found = shutil.which("pyside6-lrelease") or str(Path(sys.executable).with_name("pyside6-lrelease"))
    if not Path(found).exists():
        pytest.fail("pyside6-lrelease is missing: it ships with PySide6")
    return found


def test_service_and_widget_texts_are_translated(qtbot, context, tmp_path: Path):
    ts = tmp_path / "regulars_pt_BR.ts"
    ts.write_text(TS, encoding="utf-8")
    subprocess.run([_lrelease(), str(ts), "-qm", str(tmp_path / "regulars_pt_BR.qm")], check=True, capture_output=True)
    translator = QTranslator()
    assert translator.load(str(tmp_path / "regulars_pt_BR.qm"))
    QCoreApplication.installTranslator(translator)
    try:
        panel = LookupPanel(context)
        qtbot.addWidget(panel)
        assert panel.search.placeholderText().startswith("Telefone")

        errors = FieldErrors()
        label = errors.label_for("first_name")
        with pytest.raises(InvalidInput) as problem:
            check_details(CustomerDetails(first_name="", email="ana@example.com"), "BR")
        errors.show(problem.value)
        assert label.text() == "Informe o nome do cliente."
    finally:
        QCoreApplication.removeTranslator(translator)
