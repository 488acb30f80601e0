"""`permanence bench classify`: latency, throughput, memory and dev-set safety figures (JSON)."""

from __future__ import annotations

import os
import resource
import time
from typing import Any

import numpy as np

from classifier.engine import Classifier
from classifier.text import analyse
from classifier.train import read_examples, repo_models_dir


def run_bench(clf: Classifier, n: int = 300) -> dict[str, Any]:
    dev_path = repo_models_dir() / "corpus" / "dev.jsonl"
    dev = read_examples(dev_path)
    texts = [dev[i % len(dev)].text for i in range(n)]
    for t in texts[:5]:  # warm-up (first call pays lazy imports)
        clf.classify(t)
    lat = []
    started = time.perf_counter()
    for t in texts:
        t0 = time.perf_counter()
        clf.classify(t)
        lat.append((time.perf_counter() - t0) * 1000.0)
    wall = time.perf_counter() - started
    proto = []
    for t in texts:
        t0 = time.perf_counter()
        clf.protocol.match(analyse(t), None)
        proto.append((time.perf_counter() - t0) * 1000.0)
    # The similarity signal's own cost: clause windows, pooling from the token states the
    # heads' pass computes anyway (encode_with_spans vs embed), and the bank products.
    sim: dict[str, Any] | None = None
    if clf.model is not None and clf.model.similarity is not None:
        from classifier.similarity import clause_windows

        enc, signal = clf.model.encoder, clf.model.similarity
        plain, pooled, scoring = [], [], []
        for t in texts[:100]:
            t0 = time.perf_counter()
            enc.embed([t])
            t1 = time.perf_counter()
            windows = clause_windows(t)
            _, vectors = enc.encode_with_spans(t, windows)
            t2 = time.perf_counter()
            signal.score_vectors(t, windows, vectors)
            t3 = time.perf_counter()
            plain.append((t1 - t0) * 1000.0)
            pooled.append((t2 - t1) * 1000.0)
            scoring.append((t3 - t2) * 1000.0)
        sim = {"encoder_pass_ms_p50": round(float(np.median(plain)), 2),
               "encoder_pass_with_clause_pooling_ms_p50": round(float(np.median(pooled)), 2),
               "bank_scoring_ms_p50": round(float(np.median(scoring)), 3),
               "bank_version": signal.version}
    form_lat = []
    for t in texts[:50]:
        c = clf.classify(t)
        t0 = time.perf_counter()
        clf.extract_form(t, c.language, c)
        form_lat.append((time.perf_counter() - t0) * 1000.0)

    is_em = is_routine = 0
    hits = fa = under = review = 0
    intents_true: list[str] = []
    intents_pred: list[str] = []
    for e in dev:
        c = clf.classify(e.text, e.language)
        review += c.needs_review
        if e.urgency == "emergency":
            is_em += 1
            hits += c.urgency.value == "emergency"
        elif e.urgency == "routine":
            is_routine += 1
            fa += c.urgency.value == "emergency"
        if e.urgency:
            from classifier.labels import Urgency

            under += c.urgency.rank < Urgency(e.urgency).rank
        if e.intent:
            intents_true.append(e.intent)
            intents_pred.append(c.intent.value)
    from classifier.labels import INTENTS
    from classifier.train import _macro_f1

    def pct(xs: list[float], q: float) -> float:
        return round(float(np.percentile(xs, q)), 2)

    torch_threads = None
    if clf.model is not None:
        torch_threads = clf.model.encoder.torch.get_num_threads()
    return {
        "model_version": clf.version,
        "utterances": n,
        "latency_ms": {"p50": pct(lat, 50), "p95": pct(lat, 95), "mean": round(float(
            np.mean(lat)), 2)},
        "protocol_only_latency_ms": {"p50": pct(proto, 50), "p95": pct(proto, 95)},
        "form_latency_ms": {"p50": pct(form_lat, 50), "p95": pct(form_lat, 95)},
        "similarity": sim,
        "throughput_per_s": round(n / wall, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
        "dev": {
            "file": str(dev_path.relative_to(repo_models_dir().parent)),
            "n": len(dev), "emergency_n": is_em, "routine_n": is_routine,
            "emergency_recall": round(hits / max(1, is_em), 4),
            "false_alarm_routine": round(fa / max(1, is_routine), 4),
            "under_triage_rate": round(under / max(1, len(dev)), 4),
            "intent_macro_f1": round(_macro_f1(intents_true, intents_pred, INTENTS), 4),
            "needs_review_rate": round(review / max(1, len(dev)), 4),
        },
        "machine": {"cpu_count": os.cpu_count(), "torch_threads": torch_threads,
                    "loadavg_1m": round(os.getloadavg()[0], 2),
                    "note": "2 cores shared with other jobs: figures include contention"},
    }
