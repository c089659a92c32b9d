"""The lifecycle's official forms, one module per form (the receipt, Mẫu 01, is
``printing.receipt``). Each module keeps its whole wording in one ``WORDING`` table per
rules set, so a correction of an uncertain field (FACTS.md 1.1–1.2) is one local change:

=================  ======================  =====================  =========
module             2025 (TT 03/2025)       2018 (TT 01/2018)      paper
=================  ======================  =====================  =========
supplement         Mẫu 02                  Mẫu 02                 A5
refusal            Mẫu 03                  Mẫu 03                 A5
apology            Mẫu 04 (xin lỗi, gia    Mẫu 04 (xin lỗi, hẹn   A5
                   hạn)                    lại)
stop               Mẫu 05 (new in 2025)    —                      A5
control            Mẫu 06                  Mẫu 05                 A5
book               Mẫu 07                  Mẫu 06                 A4 landscape
rating_sheet       phiếu đánh giá (Decree 118 art. 33; Decree 61 art. 31)   A4
=================  ======================  =====================  =========
"""
