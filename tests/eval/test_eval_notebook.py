"""``notebooks/safety_review.ipynb`` executes top to bottom (so it never rots) and shows its
plots and the walk through the misses."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "safety_review.ipynb"


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_safety_review_notebook_executes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A kernel spec that is this very interpreter (the venv's), whatever else is installed.
    spec_dir = tmp_path / "jupyter" / "kernels" / "permanence-eval"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "permanence (venv)", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(nb, kernel_name="permanence-eval", timeout=240,
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 4  # two confusion matrices, reliability diagram, sweep
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "31 items from safety_small.jsonl" in text
    assert "gate passed" in text or "gate FAILED" in text
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "emergency recall" in html
