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

# Words that Party documents' titles use all the time, spelled right. OCR slips a tone mark in them
# ("đấy mạnh", "đối mới", "đại biếu") into another reading that is not Vietnamese: a run of words that
# folds to one of these phrases is repaired, and one that is a letter away from one is sent to review.
TITLE_PHRASES = tuple(nfc(p) for p in (
    "đẩy mạnh", "đổi mới", "đại biểu", "đại hội", "toàn quốc", "lần thứ", "lương thực", "lực lượng",
    "chất lượng", "cấp ủy", "các cấp", "quản lý", "lãnh đạo", "chỉ đạo", "tổ chức cơ sở đảng",
    "của Đảng", "đảng viên", "cán bộ", "công tác", "kiểm tra", "giám sát", "tuyên truyền", "tuyên giáo",
    "dân vận", "dân quân tự vệ", "an ninh", "quốc phòng", "nông nghiệp", "nông thôn", "sản xuất",
    "kinh tế", "xã hội", "chính trị", "hệ thống", "thi đua", "khen thưởng", "tài chính", "tài sản",
    "tham mưu", "phục vụ", "nâng cao", "năng lực", "củng cố", "xây dựng", "phát triển", "triển khai",
    "thực hiện", "tổng kết", "sơ kết", "đường lối", "nghị quyết", "chỉ thị", "kết luận", "chương trình",
    "kế hoạch", "báo cáo", "hướng dẫn", "thông báo", "quy định", "quyết định", "nhiệm vụ", "giải pháp",
    "học tập", "quán triệt", "tư tưởng", "đạo đức", "phong cách", "Hồ Chí Minh", "văn hóa", "giáo dục",
    "đào tạo", "bồi dưỡng", "phòng, chống", "tham nhũng", "lãng phí", "bảo đảm", "bảo vệ", "môi trường",
    "Thường trực", "Ban Thường vụ", "Ban Chấp hành", "Bộ Chính trị", "Ban Bí thư", "Trung ương",
    "Tỉnh ủy", "Thành ủy", "Huyện ủy", "Quận ủy", "Thị ủy", "Đảng ủy", "Mặt trận Tổ quốc", "đoàn thể",
    "nhiệm kỳ", "bầu cử", "đại biểu Quốc hội", "Hội đồng nhân dân", "thanh niên", "phụ nữ", "cựu chiến binh"))

# Place names a header's địa danh and an organ's name end with: the provinces and centrally-run
# cities, and the districts of the provinces whose fonds luutru holds so far (extend with the
# official list of administrative units as fonds from other provinces come in).
PLACES = tuple(nfc(p) for p in (
    "Hà Nội", "Hải Phòng", "Đà Nẵng", "Thành phố Hồ Chí Minh", "Cần Thơ", "Thái Bình", "Nam Định",
    "Ninh Bình", "Hà Nam", "Hưng Yên", "Hải Dương", "Quảng Ninh", "Bắc Ninh", "Bắc Giang",
    "Vĩnh Phúc", "Phú Thọ", "Thái Nguyên", "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Quảng Bình",
    "Quảng Trị", "Thừa Thiên Huế", "Quảng Nam", "Quảng Ngãi", "Bình Định", "Phú Yên", "Khánh Hòa",
    "Lâm Đồng", "Đắk Lắk", "Gia Lai", "Kon Tum", "Đồng Nai", "Bình Dương", "Long An", "Tiền Giang",
    "An Giang", "Kiên Giang", "Cà Mau", "Bạc Liêu", "Sóc Trăng", "Trà Vinh", "Vĩnh Long", "Bến Tre",
    "Đồng Tháp", "Hậu Giang", "Lạng Sơn", "Cao Bằng", "Hà Giang", "Lào Cai", "Yên Bái", "Tuyên Quang",
    "Bắc Kạn", "Sơn La", "Điện Biên", "Lai Châu", "Hòa Bình", "Bình Phước", "Tây Ninh",
    "Bà Rịa - Vũng Tàu", "Ninh Thuận", "Bình Thuận", "Đắk Nông",
    # Thái Bình
    "Quỳnh Phụ", "Hưng Hà", "Đông Hưng", "Thái Thụy", "Tiền Hải", "Kiến Xương", "Vũ Thư",
    # Hải Phòng
    "Hồng Bàng", "Ngô Quyền", "Lê Chân", "Hải An", "Kiến An", "Đồ Sơn", "Dương Kinh", "Thủy Nguyên",
    "An Dương", "An Lão", "Kiến Thụy", "Tiên Lãng", "Vĩnh Bảo", "Cát Hải", "Bạch Long Vĩ"))
