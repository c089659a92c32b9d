"""Receiving a dossier for another commune of the province (Decree 118/2025): the clerk names
the competent commune; bad codes are refused with a clear message and nothing is written;
the dossier view and the receipt say where it goes."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from test_desk_intake import make_form

from commune_desk.errors import ValidationError
from commune_desk.services import documents, dossier_query, intake
from commune_desk.store.models import Dossier


@pytest.mark.parametrize(("code", "message"), [
    ("00919", "chính đơn vị này"),
    ("99999", "Không có xã/phường mã 99999"),
    ("abc", "Không có xã/phường mã abc"),
    ("26734", "Không có xã/phường mã 26734"),
    ("00004", "không cùng tỉnh"),
])
def test_a_bad_competent_commune_is_refused_and_nothing_is_written(clerk_ctx, code, message):
    with pytest.raises(ValidationError) as err:
        intake.receive_dossier(clerk_ctx, make_form(clerk_ctx, competent_office_code=code))
    assert err.value.field == "competent_office"
    assert message in str(err.value)
    with clerk_ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Dossier)) == 0


def test_a_dossier_for_another_commune_is_received_here_and_says_where_it_goes(clerk_ctx, tmp_path):
    got = intake.receive_dossier(clerk_ctx, make_form(clerk_ctx, competent_office_code=" 00922 "))
    with clerk_ctx.db.read() as s:
        d = s.get(Dossier, got.id)
        assert (d.office_code, d.competent_office_code) == ("00919", "00922")
    assert got.code.startswith("000.00.19.H56-"), "the receiving office's code and book"
    info = dossier_query.details(clerk_ctx, got.code)
    assert info.relay == ("Nhận hộ cho", "Xã Thuận Hoà (00922)")
    documents.build_receipt(clerk_ctx, [got.code], tmp_path / "r.pdf")
    text = " ".join(PdfReader(tmp_path / "r.pdf").pages[0].extract_text().split())
    assert "Hồ sơ được chuyển đến Xã Thuận Hoà (00922) giải quyết." in text


def test_an_ordinary_dossier_has_no_relay_line(clerk_ctx):
    got = intake.receive_dossier(clerk_ctx, make_form(clerk_ctx))
    assert dossier_query.details(clerk_ctx, got.code).relay == ("", "")
    with clerk_ctx.db.read() as s:
        assert s.get(Dossier, got.id).competent_office_code is None
