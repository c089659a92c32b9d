"""Every office setting, declared once (Picard's habit): key, default, meaning.

Values live in the ``setting`` table; ``tests/unit/test_settings.py`` fails on a key read
anywhere that is not declared here. Uncertain legal numbers (FACTS.md) are settings so an
office can correct them without a new release.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from commune_desk.i18n import N_


@dataclass(frozen=True)
class SettingDef:
    key: str
    default: Any
    label: str  # Vietnamese source string, shown through _()


_DEFS = [
    # the desk and the calendar
    SettingDef("calendar.cutoff_hour", "15:00", N_("Giờ tiếp nhận muộn nhất trong ngày (quy tắc 15 giờ)")),
    SettingDef("calendar.cutoff_moves_multi_day", False,
               N_("Hồ sơ nhiều ngày nhận sau giờ quy định được tính từ ngày làm việc tiếp theo")),
    SettingDef("calendar.appointment_time", "17:00", N_("Giờ hẹn trả kết quả in trên phiếu")),
    SettingDef("calendar.work_start", "07:30", N_("Giờ bắt đầu làm việc")),
    SettingDef("calendar.work_end", "17:00", N_("Giờ kết thúc làm việc")),
    SettingDef("print.paper", "A5", N_("Khổ giấy in phiếu tiếp nhận (A5 hoặc A4)")),
    SettingDef("print.copies", 2, N_("Số liên phiếu tiếp nhận")),
    SettingDef("print.place_name", "", N_("Địa danh ghi trên văn bản (để trống: theo tên đơn vị)")),
    SettingDef("print.parent_body", "", N_("Cơ quan chủ quản ghi trên văn bản (ví dụ: UBND XÃ MINH TÂN)")),
    SettingDef("print.book_volume", 1, N_("Quyển số của sổ theo dõi hồ sơ")),
    SettingDef("rules.default_set", "2025", N_("Bộ biểu mẫu mặc định (2025 hoặc 2018)")),
    SettingDef("rules.switch_date", "2025-07-01", N_("Ngày bắt đầu áp dụng bộ quy định 2025")),
    # the dossier's life (Decree 118/2025 numbers, kept editable: FACTS.md section A)
    SettingDef("lifecycle.max_supplements", 1, N_("Số lần được yêu cầu bổ sung hồ sơ")),
    SettingDef("lifecycle.supplement_notice_days", 3, N_("Hạn gửi phiếu yêu cầu bổ sung (ngày làm việc)")),
    SettingDef("lifecycle.supplement_close_days", 15, N_("Đóng hồ sơ khi không bổ sung sau (ngày)")),
    SettingDef("lifecycle.apology_min_days_before", 1, N_("Xin lỗi, gia hạn chậm nhất trước hạn (ngày làm việc)")),
    SettingDef("lifecycle.max_extensions", 1, N_("Số lần được hẹn lại ngày trả kết quả")),
    # training
    SettingDef("training.yearly_minimum_periods", 40, N_("Số tiết bồi dưỡng tối thiểu mỗi năm")),
    SettingDef("training.signer_title", "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
               N_("Chức danh người ký giấy chứng nhận bồi dưỡng (xuống dòng bằng \\n)")),
    SettingDef("training.signer_name", "", N_("Họ tên người ký giấy chứng nhận bồi dưỡng")),
    # accounts and privacy
    SettingDef("accounts.max_failed_logins", 5, N_("Số lần nhập sai mật khẩu trước khi khóa")),
    SettingDef("accounts.lock_minutes", 15, N_("Thời gian khóa tài khoản (phút)")),
    SettingDef("accounts.idle_lock_minutes", 10, N_("Khóa phiên làm việc khi không thao tác (phút)")),
    SettingDef("privacy.default_retention_months", 36, N_("Thời hạn lưu dữ liệu cá nhân mặc định (tháng)")),
    # sync
    SettingDef("sync.stale_days", 7, N_("Cảnh báo xã chưa đồng bộ sau (ngày)")),
    SettingDef("sync.part_size_bytes", 4_000_000, N_("Kích thước tối đa mỗi phần của gói đồng bộ (byte)")),
    # reports
    SettingDef("reports.cutoff_periods", False, N_("Kỳ báo cáo theo ngày chốt số liệu (15 tháng trước – 14)")),
    SettingDef("reports.cutoff_day", 15, N_("Ngày chốt số liệu báo cáo: kỳ bắt đầu từ ngày này của tháng trước")),
    # backups
    SettingDef("backup.second_place", "", N_("Thư mục sao lưu thứ hai (USB, ổ mạng)")),
    SettingDef("backup.keep_daily", 7, N_("Số bản sao lưu hằng ngày giữ lại")),
    SettingDef("backup.keep_weekly", 4, N_("Số bản sao lưu hằng tuần giữ lại")),
    SettingDef("backup.keep_monthly", 12, N_("Số bản sao lưu hằng tháng giữ lại")),
    SettingDef("backup.key", {}, N_("Khóa mã hóa bản sao lưu ở nơi thứ hai (sinh từ mật khẩu bằng scrypt)")),
    SettingDef("backup.clear_copy_ok", False,
               N_("Cho phép chép bản sao lưu không mã hóa sang nơi thứ hai (đã được cảnh báo)")),
    SettingDef("backup.last_copy", {}, N_("Kết quả lần chép gần nhất sang nơi thứ hai")),
]

SETTINGS: dict[str, SettingDef] = {d.key: d for d in _DEFS}


def default(key: str) -> Any:
    return SETTINGS[key].default
