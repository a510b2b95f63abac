"""Word lists for synthetic Party documents: organs, places, people, topics and stock sentences.

Everything here is written for luutru (fiction in the style of Party documents after Hướng dẫn
36-HD/VPTW); nothing is copied from a real document or from the evaluation corpus.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocType:
    """A Party document type: its name, the abbreviation in ``số và ký hiệu`` and body structure."""

    name: str
    code: str
    sections: tuple[str, ...] = ()     # Roman-numbered section headings, in order
    articles: bool = False             # body made of "Điều n." (quyết định, quy định)
    max_number: int = 300


DOC_TYPES: dict[str, DocType] = {t.code: t for t in [
    DocType("Nghị quyết", "NQ", ("I. TÌNH HÌNH VÀ NGUYÊN NHÂN", "II. MỤC TIÊU, NHIỆM VỤ VÀ GIẢI PHÁP",
                                  "III. TỔ CHỨC THỰC HIỆN"), max_number=60),
    DocType("Chỉ thị", "CT", max_number=40),
    DocType("Kết luận", "KL", max_number=200),
    DocType("Quyết định", "QĐ", articles=True, max_number=900),
    DocType("Quy định", "QĐi", articles=True, max_number=40),
    DocType("Hướng dẫn", "HD", ("I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG", "III. TỔ CHỨC THỰC HIỆN"),
            max_number=80),
    DocType("Báo cáo", "BC", ("I. KẾT QUẢ THỰC HIỆN", "II. HẠN CHẾ, KHUYẾT ĐIỂM VÀ NGUYÊN NHÂN",
                               "III. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI"), max_number=500),
    DocType("Kế hoạch", "KH", ("I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG", "III. TỔ CHỨC THỰC HIỆN"),
            max_number=300),
    DocType("Chương trình hành động", "CTr", ("I. MỤC TIÊU", "II. NHIỆM VỤ, GIẢI PHÁP",
                                                "III. TỔ CHỨC THỰC HIỆN"), max_number=40),
    DocType("Thông báo", "TB", max_number=600),
    DocType("Tờ trình", "TTr", max_number=120),
    DocType("Công văn", "CV", max_number=1500),
]}


@dataclass(frozen=True)
class Province:
    name: str                 # "Thái Bình"
    city: bool                # a city under the centre: Thành ủy, "ĐẢNG BỘ THÀNH PHỐ …"
    districts: tuple[tuple[str, str], ...]   # (kind, name): kind "huyện" or "quận"

    @property
    def committee(self) -> str:
        return ("Thành ủy " if self.city else "Tỉnh ủy ") + self.name

    @property
    def superior_line(self) -> str:
        return ("ĐẢNG BỘ THÀNH PHỐ " if self.city else "ĐẢNG BỘ TỈNH ") + self.name.upper()


PROVINCES: dict[str, Province] = {p.name: p for p in [
    Province("Thái Bình", False, (("huyện", "Đông Hưng"), ("huyện", "Hưng Hà"), ("huyện", "Kiến Xương"),
                                  ("huyện", "Tiền Hải"), ("huyện", "Quỳnh Phụ"), ("huyện", "Vũ Thư"))),
    Province("Hải Phòng", True, (("quận", "Lê Chân"), ("quận", "Ngô Quyền"), ("quận", "Hồng Bàng"),
                                 ("quận", "Kiến An"), ("huyện", "Thủy Nguyên"), ("huyện", "Vĩnh Bảo"))),
    Province("Nam Định", False, (("huyện", "Ý Yên"), ("huyện", "Hải Hậu"), ("huyện", "Giao Thủy"),
                                 ("huyện", "Xuân Trường"), ("huyện", "Nghĩa Hưng"))),
    Province("Nghệ An", False, (("huyện", "Diễn Châu"), ("huyện", "Quỳnh Lưu"), ("huyện", "Nghi Lộc"),
                                ("huyện", "Đô Lương"), ("huyện", "Thanh Chương"))),
    Province("Đà Nẵng", True, (("quận", "Hải Châu"), ("quận", "Thanh Khê"), ("quận", "Sơn Trà"),
                               ("quận", "Liên Chiểu"), ("huyện", "Hòa Vang"))),
    Province("Thanh Hóa", False, (("huyện", "Hoằng Hóa"), ("huyện", "Quảng Xương"), ("huyện", "Thọ Xuân"),
                                  ("huyện", "Nga Sơn"))),
]}


@dataclass(frozen=True)
class Fonds:
    """An archival fonds (phông): the records of one Party committee and its advisory bodies."""

    code: str
    province: str
    district: str | None = None     # a district committee's fonds

    def name(self) -> str:
        province = PROVINCES[self.province]
        if self.district is None:
            return "Phông " + province.committee
        kind = dict((n, k) for k, n in province.districts)[self.district]
        return f"Phông {kind.capitalize()} ủy {self.district}"


FONDS: dict[str, Fonds] = {f.code: f for f in [
    Fonds("PHONG-12", "Thái Bình"),
    Fonds("PHONG-31", "Hải Phòng"),
    Fonds("PHONG-07", "Nam Định"),
    Fonds("PHONG-25", "Nghệ An"),
    Fonds("PHONG-52", "Thái Bình", "Đông Hưng"),
    Fonds("PHONG-58", "Hải Phòng", "Lê Chân"),
]}

# Advisory bodies of a provincial committee: (name, symbol suffix, head title, deputy title).
ADVISORY_BODIES = [
    ("Ban Tuyên giáo", "BTG", "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"),
    ("Ban Tổ chức", "BTC", "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"),
    ("Ban Dân vận", "BDV", "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"),
    ("Ban Nội chính", "BNC", "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"),
    ("Văn phòng", "VP", "CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"),
]

# Types each kind of organ issues.
COMMITTEE_TYPES = ["NQ", "CT", "KL", "QĐ", "QĐi", "BC", "KH", "CTr", "TB", "CV", "TTr"]
ADVISORY_TYPES = ["HD", "BC", "KH", "TB", "CV", "TTr", "QĐ"]
UBKT_TYPES = ["QĐ", "BC", "KH", "TB", "CV", "HD"]

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
            "Dương", "Lý", "Đinh", "Đào", "Lương", "Trịnh", "Mai", "Tạ"]
MIDDLE_MALE = ["Văn", "Đức", "Ngọc", "Minh", "Hữu", "Thanh", "Quang", "Xuân", "Thế", "Công", "Đình",
               "Mạnh", "Tiến", "Trọng"]
MIDDLE_FEMALE = ["Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Minh", "Kim"]
GIVEN_MALE = ["Hùng", "Bình", "Sơn", "Dũng", "Tuấn", "Hải", "Thắng", "Quyết", "Nam", "Thành", "Long",
              "Khánh", "Trung", "Nghĩa", "Cường", "Đạt", "Hưng", "Lộc", "Tùng", "Vinh", "Quý"]
GIVEN_FEMALE = ["Hằng", "Lan", "Phương", "Hoa", "Mai", "Hà", "Hương", "Nga", "Thủy", "Yến", "Liên",
                "Dung", "Huyền"]

# Topics: (noun phrase as it follows "về", short form for a công văn "V/v …").
TOPICS = [
    "công tác dân vận trong tình hình mới",
    "nâng cao chất lượng sinh hoạt chi bộ",
    "công tác phát triển đảng viên ở nông thôn",
    "tăng cường công tác kiểm tra, giám sát và kỷ luật đảng",
    "công tác bảo vệ chính trị nội bộ",
    "đẩy mạnh phòng, chống tham nhũng, lãng phí",
    "công tác văn thư, lưu trữ của các cơ quan đảng",
    "xây dựng nông thôn mới gắn với phát triển kinh tế hộ",
    "công tác cán bộ và quy hoạch cán bộ lãnh đạo, quản lý",
    "đổi mới phương thức lãnh đạo của cấp ủy đối với chính quyền",
    "công tác thông tin đối ngoại và tuyên truyền biển, đảo",
    "tổ chức Đại hội đảng bộ các cấp",
    "công tác thi đua, khen thưởng trong các cơ quan đảng",
    "phát triển kinh tế tập thể, hợp tác xã",
    "công tác giáo dục lý luận chính trị cho cán bộ, đảng viên",
    "bảo vệ môi trường và phòng, chống thiên tai",
    "công tác quốc phòng, quân sự địa phương",
    "chăm lo đời sống người có công với cách mạng",
    "ứng dụng công nghệ thông tin trong các cơ quan đảng",
    "thực hành tiết kiệm, chống lãng phí",
    "công tác tiếp công dân và giải quyết khiếu nại, tố cáo",
    "phát triển giáo dục và đào tạo",
    "bảo đảm an ninh trật tự ở địa bàn dân cư",
    "quản lý tài chính, tài sản của Đảng",
]

CONGRESSES = [(1982, "V"), (1986, "VI"), (1991, "VII"), (1996, "VIII"), (2001, "IX"), (2006, "X"),
              (2011, "XI"), (2016, "XII"), (2021, "XIII")]

# Central bodies that issue the documents a local document cites: type code → (issuer, symbol).
CENTRAL_ISSUERS = {
    "NQ": [("Bộ Chính trị", "TW"), ("Ban Chấp hành Trung ương Đảng", "TW")],
    "CT": [("Ban Bí thư", "TW"), ("Bộ Chính trị", "TW")],
    "KL": [("Bộ Chính trị", "TW"), ("Ban Bí thư", "TW")],
    "QĐ": [("Bộ Chính trị", "TW"), ("Ban Bí thư", "TW")],
    "HD": [("Ban Tổ chức Trung ương", "BTCTW"), ("Ban Tuyên giáo Trung ương", "BTGTW"),
           ("Văn phòng Trung ương Đảng", "VPTW")],
}

# Recipients (nơi nhận) by level.
RECIPIENTS_ABOVE = ["Ban Bí thư Trung ương Đảng (để b/c)", "Văn phòng Trung ương Đảng",
                    "Các ban đảng Trung ương", "Thường trực {committee} (để b/c)"]
RECIPIENTS_BELOW = ["Các huyện ủy, thành ủy, đảng ủy trực thuộc", "Các ban đảng, Văn phòng {committee}",
                    "Các đồng chí {short} viên", "Các sở, ban, ngành, đoàn thể", "Các tổ chức cơ sở đảng",
                    "Đảng đoàn, ban cán sự đảng trực thuộc", "Ủy ban Mặt trận Tổ quốc và các đoàn thể"]

KINH_GUI = ["Các huyện ủy, thành ủy, đảng ủy trực thuộc", "Các ban đảng, đảng đoàn, ban cán sự đảng",
            "Các tổ chức cơ sở đảng trực thuộc", "Ban Thường vụ {committee}"]

# Body sentences. Slots: {org} issuing organ, {cap} committee short name ("Tỉnh ủy"), {year},
# {next} a later year, {pct}/{pct2} percentages, {n}/{n2}/{few} counts, {gr} growth, {pov} poverty rate,
# {topic}, {place}.
SENTENCES = [
    "Các cấp ủy, tổ chức đảng đã tập trung lãnh đạo, chỉ đạo triển khai {topic}, đạt nhiều kết quả quan trọng.",
    "Trong năm {year}, toàn Đảng bộ kết nạp được {n} đảng viên mới, đạt {pct}% chỉ tiêu đề ra.",
    "Có {n2} tổ chức cơ sở đảng được đánh giá, xếp loại hoàn thành tốt nhiệm vụ trở lên, chiếm {pct}%.",
    "Việc quán triệt, triển khai các chủ trương của Đảng được tiến hành nghiêm túc, kịp thời, đúng kế hoạch.",
    "Nhận thức của cán bộ, đảng viên và nhân dân về {topic} có chuyển biến rõ rệt.",
    "Công tác phối hợp giữa các ngành, các cấp có lúc, có nơi còn thiếu chặt chẽ, hiệu quả chưa cao.",
    "Một số cấp ủy chưa quan tâm đúng mức đến việc kiểm tra, đôn đốc thực hiện ở cơ sở.",
    "Chất lượng sinh hoạt chi bộ ở một số nơi còn hình thức, nội dung chưa phong phú.",
    "Nguyên nhân chủ yếu là do một bộ phận cán bộ, đảng viên chưa nhận thức đầy đủ vị trí, tầm quan trọng của nhiệm vụ.",
    "Nguồn lực đầu tư còn hạn chế, cơ sở vật chất ở nhiều xã chưa đáp ứng yêu cầu.",
    "Phấn đấu đến năm {next}, có trên {pct}% tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ trở lên.",
    "Tiếp tục đổi mới nội dung, phương thức tuyên truyền, bám sát thực tiễn của địa phương, đơn vị.",
    "Nâng cao vai trò tiên phong, gương mẫu của cán bộ, đảng viên, trước hết là người đứng đầu.",
    "Tăng cường công tác kiểm tra, giám sát, kịp thời phát hiện và xử lý nghiêm các vi phạm.",
    "Kịp thời biểu dương, khen thưởng những tập thể, cá nhân có thành tích xuất sắc.",
    "Quan tâm bồi dưỡng, đào tạo đội ngũ cán bộ cơ sở có bản lĩnh chính trị vững vàng, năng lực công tác tốt.",
    "Huy động sự tham gia của Mặt trận Tổ quốc, các đoàn thể chính trị - xã hội và nhân dân.",
    "Tổng kinh phí thực hiện năm {year} là {n} triệu đồng, trong đó ngân sách tỉnh hỗ trợ {pct}%.",
    "Đến nay đã có {n2} xã, thị trấn hoàn thành kế hoạch, tăng {few} đơn vị so với cùng kỳ.",
    "Các địa phương cần chủ động xây dựng kế hoạch cụ thể, phân công rõ người, rõ việc, rõ thời gian.",
    "Định kỳ 6 tháng, một năm sơ kết, rút kinh nghiệm, báo cáo kết quả về {org}.",
    "Ban Tuyên giáo chủ trì, phối hợp với các cơ quan liên quan hướng dẫn tuyên truyền nội dung này.",
    "Văn phòng {cap} theo dõi, đôn đốc, tổng hợp tình hình, định kỳ báo cáo Ban Thường vụ.",
    "Ủy ban Kiểm tra {cap} tăng cường kiểm tra, giám sát việc thực hiện ở các tổ chức đảng.",
    "Việc giải quyết đơn thư khiếu nại, tố cáo được thực hiện đúng quy định, không để tồn đọng kéo dài.",
    "Tình hình chính trị, trật tự an toàn xã hội trên địa bàn {place} cơ bản ổn định.",
    "Đời sống vật chất, tinh thần của nhân dân từng bước được cải thiện, thu nhập bình quân tăng khá.",
    "Tốc độ tăng trưởng kinh tế đạt {gr}%, tỷ lệ hộ nghèo giảm còn {pov}%.",
    "Tổ chức các lớp bồi dưỡng cho {n} lượt cán bộ chủ chốt cấp cơ sở.",
    "Công tác cải cách hành chính trong các cơ quan đảng có nhiều tiến bộ, thời gian xử lý công việc được rút ngắn.",
    "Một số chỉ tiêu đạt thấp so với kế hoạch, nhất là chỉ tiêu về thu ngân sách và phát triển doanh nghiệp.",
    "Việc cụ thể hóa các chủ trương của cấp trên ở một số nơi còn chậm, thiếu sát với thực tế.",
    "Tiếp tục rà soát, bổ sung quy hoạch cán bộ bảo đảm tính kế thừa, phát triển.",
    "Xây dựng đội ngũ cán bộ có đủ phẩm chất, năng lực, uy tín, ngang tầm nhiệm vụ.",
    "Phát huy dân chủ ở cơ sở, thực hiện tốt phương châm dân biết, dân bàn, dân làm, dân kiểm tra.",
    "Gắn việc thực hiện nhiệm vụ chính trị với xây dựng tổ chức cơ sở đảng trong sạch, vững mạnh.",
    "Trong kỳ, các cấp ủy đã kiểm tra {n2} tổ chức đảng và {n} đảng viên, trong đó có {few} đảng viên bị xử lý kỷ luật.",
    "Các cơ quan báo chí địa phương mở chuyên trang, chuyên mục phản ánh kết quả thực hiện.",
    "Bảo đảm an toàn tuyệt đối thông tin, tài liệu mật trong quá trình soạn thảo, lưu giữ và chuyển giao.",
    "Công tác chuẩn bị nhân sự được tiến hành chặt chẽ, dân chủ, đúng quy trình.",
]

OPENINGS = [
    "Thực hiện {cite}, {actor} {tail}",
    "Căn cứ {cite}; xét tình hình thực tế của địa phương, {actor} {tail}",
    "Để triển khai thực hiện có hiệu quả {cite}, {actor} {tail}",
]
# What the issuer does in the opening sentence, by type (default: "ban hành <type> như sau:").
OPENING_TAILS = {
    "BC": "báo cáo kết quả thực hiện như sau:",
    "TTr": "kính trình Ban Thường vụ {cap} xem xét một số nội dung sau:",
    "CV": "đề nghị các đồng chí thực hiện một số nội dung sau:",
    "TB": "thông báo ý kiến như sau:",
}

CLOSINGS = [
    "Các cấp ủy, tổ chức đảng nghiêm túc triển khai thực hiện.",
    "{Kind} này được phổ biến đến chi bộ và có hiệu lực kể từ ngày ký.",
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các địa phương, đơn vị phản ánh về Văn phòng {cap} để tổng hợp, báo cáo Ban Thường vụ.",
]
CLOSINGS_BY_TYPE = {
    "BC": ["Trên đây là báo cáo kết quả thực hiện trong thời gian qua và phương hướng, nhiệm vụ thời gian tới."],
    "TTr": ["Kính trình Ban Thường vụ {cap} xem xét, quyết định."],
    "CV": ["Đề nghị các đồng chí quan tâm, chỉ đạo thực hiện.",
           "Nhận được công văn này, đề nghị các đồng chí triển khai thực hiện và báo cáo kết quả đúng thời gian quy định."],
}

# Articles (Điều) of a quyết định / quy định: the first establishes, the last two close.
ARTICLE_FIRST = [
    "Ban hành kèm theo {kind} này Quy chế làm việc về {topic}.",
    "Thành lập Ban Chỉ đạo {topic} gồm các đồng chí có tên trong danh sách kèm theo.",
    "{Kind} này áp dụng đối với các tổ chức đảng, đảng viên trong Đảng bộ về {topic}.",
]
ARTICLE_MIDDLE = [
    "Ban Chỉ đạo có nhiệm vụ giúp Ban Thường vụ lãnh đạo, chỉ đạo, kiểm tra việc thực hiện ở các cấp.",
    "Người đứng đầu cấp ủy, cơ quan, đơn vị chịu trách nhiệm trước cấp ủy cấp trên về kết quả thực hiện.",
    "Kinh phí hoạt động được bố trí từ nguồn ngân sách của Đảng theo quy định hiện hành.",
    "Chế độ báo cáo được thực hiện định kỳ 6 tháng, một năm và đột xuất khi có yêu cầu.",
]
ARTICLE_LAST = [
    "{Kind} này có hiệu lực kể từ ngày ký; các quy định trước đây trái với {kind} này đều bãi bỏ.",
    "Văn phòng {cap}, các ban đảng, các huyện ủy, thành ủy, đảng ủy trực thuộc và các đồng chí có tên trên chịu trách nhiệm thi hành {kind} này.",
]

NOTES = ["Lưu hồ sơ", "Đã xử lý", "Chuyển Ban Tổ chức", "Báo cáo Thường trực", "Đã sao gửi", "Mật - lưu riêng"]
