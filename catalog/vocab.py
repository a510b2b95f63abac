"""Closed vocabularies of Party documents that extraction snaps OCR output to.

Stock phrases (organ names, signers' titles, standard recipients) and Vietnamese family names:
an OCR slip in one of them can be repaired, and a value outside them is sent to review.
"""

from __future__ import annotations

from luutru.textnorm import nfc

KNOWN_ORGANS = ["Ban Tuyên giáo", "Ban Tổ chức", "Ban Dân vận", "Ban Kiểm tra", "Ủy ban Kiểm tra",
                "Văn phòng", "Ban Nội chính", "Ban Bảo vệ chăm sóc sức khỏe cán bộ", "Tỉnh ủy",
                "Thành ủy", "Huyện ủy", "Quận ủy", "Thị ủy", "Đảng ủy", "Ban Thường vụ"]
TITLES = ["BÍ THƯ", "PHÓ BÍ THƯ", "TỔNG BÍ THƯ", "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "CHÁNH VĂN PHÒNG",
          "PHÓ CHÁNH VĂN PHÒNG", "CHỦ NHIỆM", "PHÓ CHỦ NHIỆM", "ỦY VIÊN", "ỦY VIÊN THƯỜNG VỤ",
          "THƯỜNG TRỰC", "BAN THƯỜNG VỤ", "BAN CHẤP HÀNH", "BAN BÍ THƯ", "TỈNH ỦY", "THÀNH ỦY",
          "HUYỆN ỦY", "QUẬN ỦY", "THỊ ỦY", "ĐẢNG ỦY", "ỦY BAN KIỂM TRA", "BỘ CHÍNH TRỊ"]
ORGAN_KINDS = ("TỈNH ỦY", "THÀNH ỦY", "HUYỆN ỦY", "QUẬN ỦY", "THỊ ỦY", "ĐẢNG ỦY")

COMMITTEES = ("Tỉnh ủy", "Thành ủy", "Huyện ủy", "Quận ủy", "Thị ủy", "Đảng ủy")
STOCK_RECIPIENTS = sorted({r.format(c=c) for c in COMMITTEES for r in (
    "Ban Bí thư Trung ương Đảng (để b/c)", "Văn phòng Trung ương Đảng", "Các ban đảng Trung ương",
    "Thường trực {c} (để b/c)", "Ban Thường vụ {c} (để b/c)", "Các huyện ủy, thành ủy, đảng ủy trực thuộc",
    "Các ban đảng, Văn phòng {c}", "Các đồng chí {c} viên", "Các sở, ban, ngành, đoàn thể",
    "Các tổ chức cơ sở đảng", "Đảng đoàn, ban cán sự đảng trực thuộc",
    "Ủy ban Mặt trận Tổ quốc và các đoàn thể", "Lưu Văn phòng {c}", "Lưu Văn phòng", "Lưu VT",
    "Lưu hồ sơ", "Như trên")})

FAMILY_NAMES = frozenset(nfc(n) for n in (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Trịnh Đinh Lương Mai "
    "Đoàn Cao Tạ Hà Lâm Trương Tô Quách Chu Đào Phùng Kiều Thái Tăng Lại La Triệu Văn Đàm Hứa Khúc "
    "Lưu Nông Âu Mạc Giáp Thân Tôn Vương Diệp Lục Ninh Kim Quan Hầu Từ Vi Bạch Đồng Doãn Mã").split())
