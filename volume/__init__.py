"""Compiled document volumes (tuyển tập văn kiện): a selection of catalogued items set as a
print-ready PDF and an editable DOCX."""
