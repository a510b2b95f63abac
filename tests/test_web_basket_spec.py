"""The basket shapes a volume: the editor's order, the editors' names and the apparatus chosen go
into the YAML spec, and the volume built from it follows them."""

import pytest

from luutru.volume.select import select_items
from luutru.volume.spec import parse_spec
from webusers import client_as, csrf_token, make_app


@pytest.fixture
def client(demo_archive_copy):
    return client_as(make_app(demo_archive_copy), "doc0"), demo_archive_copy


def test_order_editors_and_apparatus_go_into_the_spec(client):
    client, archive = client
    from luutru.catalog.build import iter_items
    by_number = {i["so_ky_hieu"]: i for i in iter_items(archive)}
    older, newer = by_number["364-BC/HU"], by_number["13-NQ/TU"]     # 2008, then 2019
    token = csrf_token(client, "/basket")
    for item in (newer, older):
        client.post("/basket/add", data={"item_id": item["id"], "csrf_token": token})
    shown = client.get("/basket").get_data(as_text=True)
    assert shown.index(older["id"]) < shown.index(newer["id"])      # date order at first
    client.post("/basket/move", data={"item_id": newer["id"], "direction": "up", "csrf_token": token})
    shown = client.get("/basket").get_data(as_text=True)
    assert shown.index(newer["id"]) < shown.index(older["id"]) and 'id="basket-order"' in shown
    response = client.get("/basket/spec.yaml", query_string={
        "title": "Tập chọn", "editors": "Nguyễn Văn An, Trần Thị Bình", "apparatus-shown": "1",
        "foreword": "Đoạn một của lời giới thiệu.\r\n\r\nĐoạn hai.",
        "apparatus-names": "1", "apparatus-chronology": "1"})
    assert response.status_code == 200
    spec = parse_spec(response.get_data(as_text=True))
    assert spec.items == (newer["id"], older["id"]) and spec.order == "items"
    assert spec.editors == ("Nguyễn Văn An", "Trần Thị Bình")
    assert spec.foreword == "Đoạn một của lời giới thiệu.\n\nĐoạn hai."
    assert spec.apparatus == ("chronology", "names") and spec.review_appendix is False
    # The volume keeps the editor's order.
    assert [i["id"] for i in select_items(archive, spec, 0).items] == [newer["id"], older["id"]]
    client.post("/basket/order", data={"order": "date", "csrf_token": token})
    spec = parse_spec(client.get("/basket/spec.yaml", query_string={"title": "T"}).get_data(as_text=True))
    assert spec.order == "date" and spec.apparatus == ("chronology", "names", "places", "abbreviations")
