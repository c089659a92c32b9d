"""At the hub: one commune, several or all side by side, each with the date of its data."""

from __future__ import annotations

import dataclasses
import uuid

import openpyxl
import pytest
import reportdata as rd
from pypdf import PdfReader

from commune_desk.domain.roles import Role
from commune_desk.errors import NotFound
from commune_desk.reports.model import OFFICE, TOTAL
from commune_desk.services import reports as service
from commune_desk.services.context import Actor, Ctx


@pytest.fixture
def hub_ctx(hub_db):
    # the hand-computed dossiers for Minh Tân (00919, with D16 of Thuận Hoà 00922) and the
    # same again for Tùng Bá (00925)
    rd.insert(hub_db)
    rd.insert(hub_db, [dataclasses.replace(x, key=f"T{x.key}", office="00925") for x in rd.DOSSIERS
                       if x.office == "00919"], [])
    return Ctx(hub_db, Actor(None, "tinh", "Cán bộ tỉnh", Role.HUB))


def test_all_communes_side_by_side(hub_ctx):
    report = service.periodic_report(hub_ctx, "2025-Q1", as_of=rd.AS_OF)
    assert report.is_hub and report.office_codes == ["00919", "00922", "00925"]
    rows = {r.code: r for r in report.office_rows if r.level == OFFICE}
    assert [r.label for r in report.office_rows] == ["Xã Minh Tân", "Xã Thuận Hoà", "Xã Tùng Bá", "Tổng cộng"]
    assert rows["00919"].counts.received == 13 and rows["00925"].counts.received == 13
    assert rows["00922"].counts.received == 1 and rows["00922"].counts.open_overdue == 1
    assert report.office_rows[-1].level == TOTAL and report.office_rows[-1].counts.received == 27
    assert report.total.received == 27
    # freshness: no bundle applied yet, so the newest record of each commune, labelled as such
    fresh = {f.office_code: f for f in report.freshness}
    assert fresh["00919"].source == "records"
    assert fresh["00919"].last_at == rd.L("2025-04-02 09:00")     # D10, the newest received
    assert fresh["00922"].last_at == rd.L("2025-02-02 08:00")
    assert {u.office_code for u in report.unit_scores} == {"00919", "00922", "00925"}
    assert round(report.office_satisfaction["00919"].figure, 2) == 38.46


def test_one_or_several_communes(hub_ctx):
    one = service.periodic_report(hub_ctx, "2025-Q1", offices=["00925"], as_of=rd.AS_OF)
    assert one.office_codes == ["00925"] and one.scope_name == "Xã Tùng Bá"
    assert tuple(one.total.cell(k) for k in ("received", "resolved", "waiting", "withdrawn")) == (13, 6, 2, 2)
    several = service.periodic_report(hub_ctx, "2025-Q1", offices=["00919,00922"], as_of=rd.AS_OF)
    assert several.office_codes == ["00919", "00922"] and several.total.received == 14
    assert several.scope_name == "2 xã: Xã Minh Tân, Xã Thuận Hoà"


def test_an_unknown_commune_is_a_clear_message(hub_ctx):
    with pytest.raises(NotFound) as err:
        service.periodic_report(hub_ctx, "2025-Q1", offices=["00919", "99999"])
    message = str(err.value)
    assert "99999" in message and "00919 Xã Minh Tân" in message


def test_the_date_of_the_last_bundle_is_shown_when_there_is_one(hub_ctx):
    from commune_desk.store.models.sync import SyncPeer

    with hub_ctx.db.write() as s:
        s.add(SyncPeer(role="commune", office_code="00919", office_name="Xã Minh Tân (đã đăng ký)",
                       installation_id=uuid.uuid4(), sign_public=b"k", box_public=b"k", fingerprint="f",
                       last_bundle_at=rd.L("2025-04-08 16:30")))
        s.add(SyncPeer(role="commune", office_code="00931", office_name="Xã Chưa Gửi",
                       installation_id=uuid.uuid4(), sign_public=b"k", box_public=b"k", fingerprint="g"))
    assert service.known_communes(hub_ctx)["00931"] == "Xã Chưa Gửi"   # enrolled, no data yet
    report = service.periodic_report(hub_ctx, "2025-Q1", as_of=rd.AS_OF)
    fresh = {f.office_code: f for f in report.freshness}
    assert (fresh["00919"].source, fresh["00919"].last_at) == ("bundle", rd.L("2025-04-08 16:30"))
    assert fresh["00931"].last_at is None
    assert report.office_names["00919"] == "Xã Minh Tân (đã đăng ký)"


def test_hub_files_compare_the_communes(hub_ctx, tmp_path):
    report = service.periodic_report(hub_ctx, "2025-Q1", as_of=rd.AS_OF)
    xlsx = service.export_report(hub_ctx, report, tmp_path / "tinh.xlsx")
    ws = openpyxl.load_workbook(xlsx)["Theo xã"]
    rows = {row[1]: row for row in ws.iter_rows(values_only=True) if row[0] in ("1", "2", "3")}
    assert rows["Xã Minh Tân"][2] == "02/04/2025 (theo hồ sơ)"
    assert rows["Xã Minh Tân"][3] == 13 and rows["Xã Tùng Bá"][3] == 13
    pdf = service.export_report(hub_ctx, report, tmp_path / "tinh.pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(str(pdf)).pages)
    assert "Tổng hợp theo xã" in text and "Xã Thuận Hoà" in text and "02/04/2025 (theo hồ sơ)" in text
    assert "Tuyên Quang, ngày 10 tháng 4 năm 2025" in text and "UBND tỉnh Tuyên Quang, ngày" not in text
