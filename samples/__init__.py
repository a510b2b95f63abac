"""Synthetic Vietnamese Party documents and scans, for the demo, the tests and benchmarks.

- :mod:`.documents`: ``generate_document(rng, …) -> SampleDocument`` (catalogue fields as in the
  corpus ``meta.json``, truth lines per page, the same lines laid out on A4 in millimetres) and
  ``generate_corpus_text(n_pages, seed)`` (fast text only, for search benchmarks);
- :mod:`.render`: ``render_page(doc, page_no, dpi)`` draws a page with the Party layout, red seal
  and pen notes; ``render_lines`` draws plain lines;
- :mod:`.degrade`: what scanners and old paper do (skew, turns, tint, noise, blur, JPEG, borders,
  binding shadow, uneven light, low dpi, foxing, bleed-through) and ``degrade_tier`` (t0–t3);
- :mod:`.batch`: ``make_batch(outdir, seed, documents, tiers)`` writes scans, ``inventory.csv``,
  ``manifest.csv`` and ``truth/`` in the layout of the evaluation corpus;
- :mod:`.make_samples`: ``python -m luutru.samples.make_samples OUTDIR`` writes the demo batch.

Everything is fiction written for luutru in the style of Hướng dẫn 36-HD/VPTW; same seed, same bytes.
"""
