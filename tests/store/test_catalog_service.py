"""Browsing and editing the procedure catalog, with the role checks in the service."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from commune_desk.errors import PermissionDenied, ValidationError
from commune_desk.services import catalog
from commune_desk.store.models import ChangeLog, Procedure


def test_the_shipped_catalog_has_at_least_30_real_procedures(clerk_ctx):
    rows = catalog.list_procedures(clerk_ctx)
    assert len(rows) >= 30
    birth = catalog.get_procedure(clerk_ctx, "1.001193")
    assert birth.name == "Thủ tục đăng ký khai sinh" and birth.field == "Hộ tịch"
    assert birth.time_kind == "same_day" and birth.cutoff_next_day
    assert any(d["form"] == "xuất trình" for d in birth.documents)
    assert {f["amount_vnd"] for f in birth.fees} == {0, 8000}
    assert any(p.time_kind == "calendar_days" for p in rows)


def test_search_ignores_diacritics_and_finds_codes(clerk_ctx):
    by_name = catalog.list_procedures(clerk_ctx, "dang ky ket hon")
    assert "1.000894" in {p.code for p in by_name}
    assert {p.code for p in catalog.list_procedures(clerk_ctx, "ĐĂNG KÝ KẾT HÔN")} == {p.code for p in by_name}
    assert [p.code for p in catalog.list_procedures(clerk_ctx, "1.00119")] == ["1.001193"]
    assert catalog.list_procedures(clerk_ctx, "chung thuc") and not catalog.list_procedures(clerk_ctx, "xyzzy")
    assert catalog.list_procedures(clerk_ctx, "50%") == []


def test_an_editor_changes_a_procedure_in_one_transaction(admin_ctx):
    birth = catalog.get_procedure(admin_ctx, "1.001193")
    with admin_ctx.db.read() as s:
        log_before = s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.entity == "procedure"))
    docs = [*birth.documents, {"name": "Giấy tờ mới", "form": "bản sao", "count": 2, "required": False,
                               "note": None}]
    saved = catalog.save_procedure(admin_ctx, replace(birth, name="Đăng ký khai sinh (sửa)", documents=docs,
                                                      fees=[{"name": "Lệ phí", "amount_vnd": None, "note": None}]),
                                   birth.id)
    assert saved.name == "Đăng ký khai sinh (sửa)" and saved.documents[-1]["count"] == 2
    again = catalog.get_procedure(admin_ctx, birth.id)
    assert again.fees == [{"name": "Lệ phí", "amount_vnd": None, "note": None}]
    assert catalog.list_procedures(admin_ctx, "khai sinh (sua)")[0].code == "1.001193"
    with admin_ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.entity == "procedure")) == log_before + 1


def test_a_new_procedure_and_a_duplicate_code(admin_ctx):
    spec = catalog.ProcedureSpec(code="1.999999", name="Thủ tục thử", field="Hộ tịch",
                                 time_kind="working_days", time_value=4)
    made = catalog.save_procedure(admin_ctx, spec)
    assert made.id is not None and catalog.get_procedure(admin_ctx, "1.999999").time_value == 4
    with pytest.raises(ValidationError) as err:
        catalog.save_procedure(admin_ctx, spec)
    assert err.value.field == "code"


@pytest.mark.parametrize(("change", "field"), [
    ({"code": "1001193"}, "code"),
    ({"name": "  "}, "name"),
    ({"time_kind": "working_days", "time_value": -3}, "time_value"),
    ({"time_kind": "weeks"}, "time_kind"),
    ({"documents": [{"name": "Tờ khai", "form": "bản photo", "count": 1, "required": True}]}, "documents"),
    ({"fees": [{"name": "Lệ phí", "amount_vnd": -5}]}, "fees"),
])
def test_bad_edits_are_refused_and_nothing_changes(admin_ctx, change, field):
    birth = catalog.get_procedure(admin_ctx, "1.001193")
    with pytest.raises(ValidationError) as err:
        catalog.save_procedure(admin_ctx, replace(birth, **change), birth.id)
    assert field in {f for f, _m in err.value.errors}
    assert catalog.get_procedure(admin_ctx, "1.001193") == birth


def test_a_trainer_and_a_clerk_cannot_edit_the_catalog(trainer_ctx, clerk_ctx, tmp_path):
    birth = catalog.get_procedure(clerk_ctx, "1.001193")
    for ctx in (trainer_ctx, clerk_ctx):
        with pytest.raises(PermissionDenied):
            catalog.save_procedure(ctx, replace(birth, name="Hack"), birth.id)
        with pytest.raises(PermissionDenied):
            catalog.set_active(ctx, birth.id, False)
        with pytest.raises(PermissionDenied):
            catalog.import_file(ctx, tmp_path / "x.csv")
    assert catalog.get_procedure(clerk_ctx, "1.001193").name == birth.name


def test_deactivated_procedures_leave_the_desk_list(admin_ctx):
    birth = catalog.get_procedure(admin_ctx, "1.001193")
    catalog.set_active(admin_ctx, birth.id, False)
    active = catalog.list_procedures(admin_ctx, include_inactive=False)
    assert "1.001193" not in {p.code for p in active}
    with admin_ctx.db.read() as s:
        assert s.scalar(select(Procedure.active).where(Procedure.code == "1.001193")) is False
