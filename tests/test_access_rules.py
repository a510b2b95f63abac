"""The access rule (luutru.access.item_level) on the catalogue's own item dicts: who decides,
strongest first, and an unsure or unreviewed item never open (issue 13, "What to build" 2)."""

from __future__ import annotations

import pytest

from luutru.access import file_level, item_level, opened_despite_mark
from luutru.catalog.model import (ARCHIVIST, INVENTORY, MACHINE, FieldValue, FileRecord, Fonds,
                                  Item, item_record_dict)


def _item(do_mat: FieldValue | None = None, decision: str | None = None) -> Item:
    fields = {}
    if do_mat is not None:
        fields["do_mat"] = do_mat
    if decision:
        fields["muc_do_tiep_can"] = FieldValue(decision, ARCHIVIST)
    return Item("vb-1", "P", "HS", "a.png", 1, 1, ["a" * 64 + ":1"], fields)


def level(item: Item, file_access: FieldValue | None = None, policy: str | None = None,
          siblings: list[Item] = ()) -> int:
    record = FileRecord("HS", "P", {"muc_do_tiep_can": file_access} if file_access else {},
                        [item, *siblings])
    fonds = Fonds("P", {"chinh_sach_tiep_can": FieldValue(policy, INVENTORY)} if policy else {})
    return item_level(item_record_dict(item, record, fonds))


CONFIDENT_MAT = FieldValue("Mật", MACHINE, 0.95)
UNSURE = FieldValue(None, MACHINE, 0.3, review=True)
PUBLIC_INVENTORY = FieldValue("Công khai", INVENTORY)


def test_not_reviewed_is_closed_under_the_default_policy_and_open_unless_marked_opens_it():
    assert level(_item()) == 1
    assert level(_item(), policy="review-first") == 1
    assert level(_item(), policy="open-unless-marked") == 0


@pytest.mark.parametrize("policy", [None, "open-unless-marked"])
def test_an_unsure_reading_is_the_strictest_level_under_every_policy(policy):
    assert level(_item(UNSURE), policy=policy) == 3
    assert level(_item(UNSURE), PUBLIC_INVENTORY, policy) == 3


def test_the_inventory_opens_unmarked_items_but_never_a_marked_one():
    assert level(_item(), PUBLIC_INVENTORY) == 0
    assert level(_item(CONFIDENT_MAT), PUBLIC_INVENTORY) == 1   # the 73-KH/HU case
    assert level(_item(FieldValue("Tối mật", MACHINE, 0.9)), PUBLIC_INVENTORY) == 2
    assert level(_item(), FieldValue("Hạn chế", INVENTORY), "open-unless-marked") == 1


def test_the_archivist_decides_over_everything_and_opening_a_stamped_item_is_flagged():
    opened = _item(CONFIDENT_MAT, decision="Công khai")
    assert level(opened) == 0
    record = FileRecord("HS", "P", {}, [opened])
    assert opened_despite_mark(item_record_dict(opened, record, Fonds("P")))
    assert level(_item(UNSURE, decision="Công khai")) == 0
    assert level(_item(decision="Hạn chế"), PUBLIC_INVENTORY, "open-unless-marked") == 1
    assert level(_item(FieldValue("Tuyệt mật", MACHINE, 0.9), decision="Hạn chế")) == 3
    # a độ mật the archivist set (even "none") is their decision; an unsure one is resolved
    assert level(_item(FieldValue(None, ARCHIVIST))) == 0
    assert level(_item(FieldValue("Mật", ARCHIVIST)), PUBLIC_INVENTORY) == 1


def test_one_marked_or_unsure_item_restricts_its_hoso_unless_a_person_opened_it():
    marked = _item(CONFIDENT_MAT)
    marked.id = "vb-2"
    assert level(_item(), policy="open-unless-marked", siblings=[marked]) == 1
    unsure = _item(UNSURE)
    unsure.id = "vb-3"
    assert level(_item(), policy="open-unless-marked", siblings=[unsure]) == 1
    assert level(_item(), PUBLIC_INVENTORY, "open-unless-marked", siblings=[marked]) == 0


def test_an_unknown_secrecy_value_is_the_strictest():
    assert item_level({"do_mat": "Bí mật", "access": "Công khai", "access_origin": INVENTORY}) == 3


def test_an_empty_hoso_is_shown_only_when_a_person_or_the_policy_opened_it():
    assert file_level({"access": "Công khai", "access_origin": MACHINE}) == 1
    assert file_level({"access": "Công khai", "access_origin": INVENTORY}) == 0
    assert file_level({"access": None, "access_policy": "open-unless-marked"}) == 0
    assert file_level({"access": "Hạn chế", "access_origin": INVENTORY}) == 1
