"""Safety evaluation of the recognizer and classifier on labeled sets (never uses pipeline/).

    from eval import evaluate, load_dataset, write_report, check_gate
    report = evaluate(load_dataset("set.jsonl"), classifier=clf, recognizer=rec)
    write_report(report, "out/")

See ``eval/README.md`` for the set format, every metric's definition and the ``summary.json``
schema.
"""

from eval.compare import Comparison, compare_reports, mcnemar_exact
from eval.config import ConfigError, EvalConfig, GateConfig, load_config
from eval.dataset import (
    AudioItem,
    Dataset,
    DatasetError,
    DialogueItem,
    Gold,
    Item,
    TextItem,
    Turn,
    load_dataset,
)
from eval.gate import GateResult, check_gate
from eval.report import write_report
from eval.runner import EvalError, build_report, evaluate
from eval.types import EvalReport, ItemResult

__all__ = [
    "AudioItem", "Comparison", "ConfigError", "Dataset", "DatasetError", "DialogueItem",
    "EvalConfig", "EvalError", "EvalReport", "GateConfig", "GateResult", "Gold", "Item",
    "ItemResult", "TextItem", "Turn", "build_report", "check_gate", "compare_reports", "evaluate",
    "load_config", "load_dataset", "mcnemar_exact", "write_report",
]
