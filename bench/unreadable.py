"""How well a volume's marks pick the OCR lines that are garbage: the "unreadable passage" marker
alone (before honest marking) and with doubtful readings marked too ("[chỉ bộ?]", after).

    .venv/bin/python bench/unreadable.py --archive ARCHIVE [--corpus DIR] [--sweep]
    .venv/bin/python bench/unreadable.py [--corpus DIR]      # reads the corpus first (luutru run)

A volume prints each document's OCR text, but a line the OCR could not read is replaced by a marker
for the editor (:func:`luutru.volume.text.is_unreadable`). This scores that choice against the
corpus's ground truth: each OCR line of each page (specks dropped as the volume drops them) is
matched to the closest line of the page's true text; a line whose closest true line is more than
``GARBAGE`` different (normalised edit distance) is garbage — printing it would mislead a reader —
and one within ``GOOD`` is text a reader wants; a line that is a document's handwritten note
(listed in its ``meta.json``), read as such, is counted apart. Printed per tier: garbage lines caught by the
marker, garbage printed anyway, and good lines lost behind a marker; then the same with every
mark a volume prints on a machine-read line (:func:`luutru.volume.text.is_marked`), against the
target: at least 90 % of garbage lines marked, at most 2 % of good lines marked, counted strictly
(a good line with any mark counts; split into marks on misread words and false alarms). ``--sweep`` does the same for
other thresholds around the defaults, so the chosen ones can be seen against their neighbours.

``--archive`` takes an archive holding the corpus's scans already read (``luutru run CORPUS/scans``,
e.g. one kept by ``bench/ocr.py --keep``); without it the corpus is read into a temporary archive
first (``luutru run --jobs 2``, a few minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import csv
import difflib
import json
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from luutru.archive import Archive
from luutru.volume import marking
from luutru.volume import text as volume_text

DEFAULT_CORPUS = Path("/work/shared/corpus/dev")
GARBAGE = 0.5          # normalised edit distance to the closest true line
GOOD = 0.15
PARTIAL_MIN_CHARS = 8   # shorter lines match some part of any line by chance
TIERS = ("t0", "t1", "t2", "t3", "real")
TARGET_GARBAGE_MARKED = 0.90
TARGET_GOOD_MARKED = 0.02


def main() -> int:
    args = _arguments()
    work = None
    archive_root = args.archive
    if archive_root is None:
        work = Path(tempfile.mkdtemp(prefix="bench-unreadable-"))
        archive_root = work / "archive"
        _read_corpus(args.corpus, archive_root)
    try:
        lines = scored_lines(Archive(archive_root), args.corpus)
        print(f"corpus {args.corpus}: {len(lines)} OCR lines (specks dropped) on "
              f"{len({line[0] for line in lines})} pages; garbage: closest true line more than "
              f"{GARBAGE:.0%} different, good: within {GOOD:.0%}")
        print("\nbefore: the unreadable-passage marker alone")
        print_table(lines)
        print("\nafter: every mark a volume prints on a machine-read line (unreadable or doubtful)")
        print_table(lines, marked=lambda line: line[5])
        print_target(lines)
        if args.sweep:
            sweep(lines)
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--archive", type=Path, help="an archive with the corpus already read")
    parser.add_argument("--sweep", action="store_true", help="also try thresholds around the defaults")
    return parser.parse_args()


def _read_corpus(corpus: Path, archive: Path) -> None:
    print(f"reading {corpus / 'scans'} into {archive} (luutru run --jobs 2) …", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "luutru.cli", "run", str(corpus / "scans"), "-a",
                    str(archive), "--jobs", "2"], check=False, stdout=subprocess.DEVNULL,
                   env={**os.environ, "OMP_THREAD_LIMIT": "1"})


# --- matching OCR lines to the truth -----------------------------------------------------------

def truth_pages(corpus: Path) -> dict[tuple[str, int], tuple[str, list[str], list[str]]]:
    """(source relative to scans/, page index) -> (tier, the page's true lines, the document's
    handwritten notes: not page text, but words a reader may see printed)."""
    pages = {}
    with open(corpus / "manifest.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            folder = corpus / "truth" / row["doc_id"]
            path = folder / f"page-{int(row['page_no']):03d}.txt"
            lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
            meta = folder / "meta.json"        # the real pages' truth has none
            notes = json.loads(meta.read_text(encoding="utf-8")) if meta.exists() else {}
            pages[(row["source"], int(row["page_index"]))] = (
                row["tier"], [line for line in lines if line], notes.get("handwritten_notes") or [])
    return pages


def scored_lines(archive: Archive, corpus: Path) -> list[tuple]:
    """(page key, tier, OCR line, its confidence, distance to the closest true line, marked?,
    marked on a word read right?, words misread, of them marked) for every line a volume would
    not drop as a speck or a page number; a handwritten note read as such has distance -1. The
    corpus is taken as one volume: its well-read word pairs confirm unsure words
    (:func:`luutru.volume.marking.well_read_pairs`)."""
    truth = truth_pages(corpus)
    pages = []
    for ref in archive.iter_page_refs():
        source = archive.page_record(ref).get("source") or ""
        key = (source.removeprefix("scans/"), ref.index)
        if key in truth:
            pages.append((ref, truth[key], volume_text.read_page_lines(archive.page_dir(ref), ref.index) or []))
    well_read = marking.well_read_pairs(line for _, _, page in pages for line in page)
    scored = []
    for ref, (tier, true_lines, notes), page in pages:
        capitalised = marking.capitalised_words([line.text for line in page])
        for line in page:
            if volume_text.is_noise(line.text, line.conf) or volume_text.is_page_number(line.text):
                continue
            marked = volume_text.is_marked(line, capitalised, well_read)
            right_marked, misread, misread_marked = _word_marks(line, capitalised, well_read, true_lines)
            scored.append((ref.key, tier, line.text, line.conf, _distance(line.text, true_lines, notes),
                           marked, marked and right_marked, misread, misread_marked))
    return scored


def _word_marks(line, capitalised: set[str], well_read: frozenset,
                true_lines: list[str]) -> tuple[bool, int, int]:
    """Aligned with the closest true line: does a mark fall on a word the OCR read right (a mark
    on a misread word in a mostly good line is the mark doing its job), how many words were
    misread, and how many of those are marked."""
    tokens = line.text.split()
    if volume_text.is_unreadable(line.text, line.conf):
        doubts = [True] * len(tokens)
    else:
        doubts = marking.doubtful_words(tokens, line.word_confs, line.conf, capitalised, well_read)
    closest = process.extractOne(line.text, true_lines, scorer=fuzz.partial_ratio) if true_lines else None
    truth = closest[0].split() if closest else []
    right = set()
    bare = lambda words: [word.rstrip(".,;:") or word for word in words]   # "3" read for "3."
    for block in difflib.SequenceMatcher(None, bare(tokens), bare(truth), autojunk=False).get_matching_blocks():
        right.update(range(block.a, block.a + block.size))
    misread = [i for i in range(len(tokens)) if i not in right]
    return (any(doubt and i in right for i, doubt in enumerate(doubts)), len(misread),
            sum(doubts[i] for i in misread))


def _is_fragment(text: str, true_lines: list[str]) -> bool:
    """A short line that is whole words of a true line (a signer's name cut off its line, "Điều 3"
    read apart from the rest of "Điều 3. Kinh phí …"), punctuation around the words aside."""
    bare = lambda line: " ".join(word for word in (w.strip(_FRAGMENT_PUNCT) for w in line.split()) if word)
    words = bare(text)
    return bool(words) and any(f" {words} " in f" {bare(line)} " for line in true_lines)


_FRAGMENT_PUNCT = ".,;:!?()\"'“”"


def _distance(text: str, true_lines: list[str], notes: list[str]) -> float:
    """Normalised edit distance to the closest true line, or to the closest part of one for a
    line of some length (the OCR may cut a printed line in two, or join two)."""
    match = process.extractOne(text, true_lines, scorer=Levenshtein.normalized_distance)
    distance = match[1] if match else 1.0
    if len(text) >= PARTIAL_MIN_CHARS and true_lines:
        best_part = process.extractOne(text, true_lines, scorer=fuzz.partial_ratio)
        distance = min(distance, 1 - best_part[1] / 100)
    if distance > GOOD and _is_fragment(text, true_lines):
        distance = GOOD
    note = process.extractOne(text, notes, scorer=Levenshtein.normalized_distance) if notes else None
    return -1.0 if note and note[1] <= GOOD and note[1] < distance else distance


# --- scoring ----------------------------------------------------------------------------------

def _unreadable(line: tuple) -> bool:
    return volume_text.is_unreadable(line[2], line[3])


def confusion(lines: list[tuple], marked=_unreadable) -> dict[str, Counter]:
    """Per tier (and "all"): garbage caught/printed, good lost/kept, lines in between, a line
    counted as caught when ``marked(line)``."""
    table: dict[str, Counter] = defaultdict(Counter)
    for line in lines:
        _, tier, text, conf, distance = line[:5]
        marked_line = marked(line)
        if distance < 0:
            kind = "note_marked" if marked_line else "note_printed"
        elif distance > GARBAGE:
            kind = "garbage_caught" if marked_line else "garbage_printed"
        elif distance == 0:
            kind = "exact_marked" if marked_line else "exact_kept"
        elif distance <= GOOD:
            kind = "good_lost" if marked_line else "good_kept"
        else:
            kind = "between_marked" if marked_line else "between_printed"
        for name in (tier, "all"):
            table[name][kind] += 1
    return table


def _good(row: Counter) -> tuple[int, int]:
    """(good lines, of them marked): "good" takes in the exact ones."""
    return (row["good_lost"] + row["good_kept"] + row["exact_marked"] + row["exact_kept"],
            row["good_lost"] + row["exact_marked"])


def _wrongly_marked(lines: list[tuple]) -> dict[str, int]:
    """Per tier (and "all"): good lines with a mark on a word read right (the real false alarms)."""
    counts: Counter = Counter()
    for line in lines:
        if 0 <= line[4] <= GOOD and len(line) > 6 and line[6]:
            counts[line[1]] += 1
            counts["all"] += 1
    return counts


def print_table(lines: list[tuple], marked=_unreadable) -> None:
    table = confusion(lines, marked)
    print(f"{'tier':<5} {'lines':>6} {'garbage':>8} {'caught':>7} {'printed':>8} "
          f"{'good':>6} {'marked':>7} {'exact':>6} {'marked':>7} {'between':>8} {'marked':>7} {'notes':>6}")
    for tier in (*TIERS, "all"):
        row = table.get(tier)
        if not row:
            continue
        garbage = row["garbage_caught"] + row["garbage_printed"]
        good, good_marked = _good(row)
        exact = row["exact_marked"] + row["exact_kept"]
        between = row["between_marked"] + row["between_printed"]
        print(f"{tier:<5} {sum(row.values()):>6} {garbage:>8} {row['garbage_caught']:>7} "
              f"{row['garbage_printed']:>8} {good:>6} {good_marked:>7} {exact:>6} "
              f"{row['exact_marked']:>7} {between:>8} "
              f"{row['between_marked']:>7} {row['note_marked'] + row['note_printed']:>6}")
    shown = [line for line in lines if line[4] > GARBAGE and not marked(line)]
    for _, tier, text, conf, distance, *_ in shown[:8]:
        print(f"  garbage printed ({tier}, conf {conf if conf is None else round(conf)}, "
              f"distance {distance:.2f}): {text[:70]!r}")


def print_target(lines: list[tuple]) -> None:
    """The marks against the issue's target, over all tiers, counted strictly: a good line (within
    ``GOOD`` of its true line) carrying any mark at all counts as marked. The strict count is
    then split: good lines whose marks all fall on words the OCR misread (the mark doing its job:
    only a correction, not a better marker, takes those off), those with a mark on a word read
    right (false alarms), and the lines read right word for word that carry a mark."""
    row = confusion(lines, marked=lambda line: line[5])["all"]
    garbage = row["garbage_caught"] + row["garbage_printed"]
    good, good_marked = _good(row)
    wrong = _wrongly_marked(lines)["all"]
    caught = row["garbage_caught"] / garbage if garbage else 1.0
    strict = good_marked / good if good else 0.0
    clean = [line for line in lines if 0 <= line[4] <= GOOD and line[7] == 0]
    clean_marked = sum(bool(line[5]) for line in clean)
    print(f"\ngood lines with any mark (strict): {good_marked} of {good} ({strict:.1%})")
    print(f"  with marks only on misread words: {good_marked - wrong} ({(good_marked - wrong) / max(good, 1):.1%})")
    print(f"  with a mark on a word read right: {wrong} ({wrong / max(good, 1):.1%})")
    print(f"good lines read right word for word with any mark: {clean_marked} of {len(clean)} "
          f"({clean_marked / max(len(clean), 1):.1%}); exact lines with any mark: "
          f"{row['exact_marked']} of {row['exact_marked'] + row['exact_kept']}")
    with_errors = sum(1 for line in lines if 0 <= line[4] <= GOOD and line[7])
    print(f"good lines holding a misread word: {with_errors} of {good} ({with_errors / max(good, 1):.1%}): "
          f"marking every OCR error would put the strict figure near there; only correcting the "
          f"OCR lowers it")
    misread = sum(line[7] for line in lines if 0 <= line[4] <= GOOD)
    misread_marked = sum(line[8] for line in lines if 0 <= line[4] <= GOOD)
    print(f"misread words in good lines marked: {misread_marked} of {misread} "
          f"({misread_marked / max(misread, 1):.1%})")
    ok = caught >= TARGET_GARBAGE_MARKED and strict <= TARGET_GOOD_MARKED
    print(f"target: garbage lines marked {caught:.1%} (≥ {TARGET_GARBAGE_MARKED:.0%}), good lines with "
          f"any mark {strict:.1%} (≤ {TARGET_GOOD_MARKED:.0%}): {'met' if ok else 'NOT met'}; false "
          f"alarms (a mark on a word read right) {wrong / max(good, 1):.1%}")


def sweep(lines: list[tuple]) -> None:
    """The marker's outcome with other thresholds (module constants set in turn)."""
    defaults = {name: getattr(volume_text, name) for name in ("MIN_QUALITY", "LOW_CONF", "DOUBT_QUALITY")}
    print("\nthresholds (MIN_QUALITY, LOW_CONF, DOUBT_QUALITY): garbage caught / printed, good lost")
    grid = itertools.product((0.4, 0.5, 0.6), (35.0, 45.0, 55.0), (0.7, 0.8, 0.9))
    try:
        for min_quality, low_conf, doubt in grid:
            volume_text.MIN_QUALITY, volume_text.LOW_CONF = min_quality, low_conf
            volume_text.DOUBT_QUALITY = doubt
            row = confusion(lines)["all"]
            chosen = (min_quality, low_conf, doubt) == tuple(defaults.values())
            print(f"  {min_quality:.1f} {low_conf:>4.0f} {doubt:.1f}: {row['garbage_caught']:>4} / "
                  f"{row['garbage_printed']:>4}, {row['good_lost']:>3}{'   <- default' if chosen else ''}")
    finally:
        for name, value in defaults.items():
            setattr(volume_text, name, value)


if __name__ == "__main__":
    sys.exit(main())
