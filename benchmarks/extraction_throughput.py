"""Extraction throughput: MB of NFC text per second on one core (target ≥ 1 MB/s).

    python benchmarks/extraction_throughput.py   # writes benchmarks/results/extraction.json

The input is the five corpus documents and the gold documents, repeated to ~2 MB.
Three rates are recorded:

* ``mb_per_second``: one extractor over all documents, as ``danvan extract`` runs
  (place and organisation look-ups it has made are remembered across documents);
* ``cold_mb_per_second``: the same, but the look-up memory is cleared before every
  document (what a corpus of unrelated documents costs at worst);
* ``one_large_document_mb_per_second``: all texts joined four times into one document;
* ``with_kb_mb_per_second``: resolution against the curated knowledge base, as
  ``danvan load --documents`` runs.

Each rate is also given per second of this process's CPU time (``cpu_…``): on a machine
shared with other work the wall clock measures the others too, the CPU time only us
(one core, as the target is stated). ``load_average`` records how busy the machine was.
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

from danvan.graph.embedded import EmbeddedStore
from danvan.loaders.documents.extractor import Extractor
from danvan.loaders.reference.gazetteer import Gazetteer
from danvan.loaders.reference.kb import corpus_dir, load_kb

HERE = Path(__file__).resolve().parent


_CPU: dict[str, float] = {}


def _rate(extractor: Extractor, texts: list[str], rounds: int, cold: bool = False,
          name: str = "") -> tuple[float, float]:
    """(MB, seconds) of extracting ``texts`` ``rounds`` times; CPU seconds into ``_CPU``."""
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        for t in texts:
            if cold:
                extractor.g.clear_cache()
            extractor.extract(t)
    mb = sum(len(t.encode("utf-8")) for t in texts) * rounds / 1e6
    _CPU[name] = round(mb / (time.process_time() - cpu), 3)
    return mb, time.perf_counter() - start


def main() -> None:
    """Time the extractor over ~2 MB of documents and record the rates."""
    texts = [p.read_text("utf-8") for p in sorted((HERE.parent / "tests" / "gold").glob("*.txt"))]
    folder = corpus_dir()
    if folder:
        texts += [p.read_text("utf-8") for p in sorted(folder.glob("*.txt"))]
    extractor = Extractor(Gazetteer())
    extractor.extract(texts[0])  # loads the official units once
    extractor.g.clear_cache()
    total = sum(len(t.encode("utf-8")) for t in texts)
    rounds = max(1, 2_000_000 // total)
    mb, seconds = _rate(extractor, texts, rounds, name="cpu_mb_per_second")
    cold_mb, cold_seconds = _rate(extractor, texts, max(1, rounds // 4), cold=True,
                                  name="cpu_cold_mb_per_second")
    big = "\n\n".join(texts) * 4
    extractor.g.clear_cache()
    t0 = time.perf_counter()
    extractor.extract(big)
    big_rate = len(big.encode("utf-8")) / 1e6 / (time.perf_counter() - t0)
    store = EmbeddedStore(":memory:")
    load_kb(store)
    with_kb = Extractor(Gazetteer(store))
    kb_mb, kb_seconds = _rate(with_kb, texts, max(1, rounds // 4),
                              name="cpu_with_kb_mb_per_second")
    result = {"mb": round(mb, 2), "seconds": round(seconds, 2),
              "mb_per_second": round(mb / seconds, 3),
              "cold_mb_per_second": round(cold_mb / cold_seconds, 3),
              "one_large_document_mb_per_second": round(big_rate, 3),
              "with_kb_mb_per_second": round(kb_mb / kb_seconds, 3), **_CPU,
              "load_average": round(os.getloadavg()[0], 2),
              "documents": len(texts) * rounds, "python": platform.python_version(),
              "machine": platform.machine()}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "extraction.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
