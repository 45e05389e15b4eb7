"""Extraction throughput: MB of NFC text per second on one core (target ≥ 1 MB/s).

    python benchmarks/extraction_throughput.py   # writes benchmarks/results/extraction.json

The input is the five corpus documents and the gold documents, repeated to ~2 MB.
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

from danvan.loaders.extractor import Extractor
from danvan.loaders.gazetteer import Gazetteer
from danvan.loaders.kb import corpus_dir

HERE = Path(__file__).resolve().parent


def main() -> None:
    """Time the extractor over ~2 MB of documents and record the rate."""
    texts = [p.read_text("utf-8") for p in sorted((HERE.parent / "tests" / "gold").glob("*.txt"))]
    folder = corpus_dir()
    if folder:
        texts += [p.read_text("utf-8") for p in sorted(folder.glob("*.txt"))]
    extractor = Extractor(Gazetteer())
    total = sum(len(t.encode("utf-8")) for t in texts)
    rounds = max(1, 2_000_000 // total)
    start = time.perf_counter()
    for _ in range(rounds):
        for t in texts:
            extractor.extract(t)
    seconds = time.perf_counter() - start
    mb = total * rounds / 1e6
    big = "\n\n".join(texts) * 4
    t0 = time.perf_counter()
    extractor.extract(big)
    big_rate = len(big.encode("utf-8")) / 1e6 / (time.perf_counter() - t0)
    result = {"mb": round(mb, 2), "seconds": round(seconds, 2),
              "mb_per_second": round(mb / seconds, 3),
              "one_large_document_mb_per_second": round(big_rate, 3),
              "documents": len(texts) * rounds, "python": platform.python_version(),
              "machine": platform.machine()}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "extraction.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
