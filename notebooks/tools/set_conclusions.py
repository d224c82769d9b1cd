#!/usr/bin/env python3
"""Puts notebooks/tools/conclusions_NN.md into the executed notebook NN's conclusions cell (a markdown cell, so the
outputs of the full run stay as they are). The generators make_NN.py read the same file."""
import json, pathlib, sys

tools = pathlib.Path(__file__).resolve().parent
for nn, name in [("01", "01-adapter-tuning.ipynb"), ("02", "02-prefix-tuning.ipynb")]:
    text = (tools / f"conclusions_{nn}.md").read_text(encoding="utf-8").strip("\n").split("\n")
    path = tools.parent / name
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if c["cell_type"] == "markdown" and "".join(c["source"]).lstrip().startswith(("*(Conclusions", "## Conclusions"))]
    if len(cells) != 1:
        sys.exit(f"{name}: expected one conclusions cell, found {len(cells)}")
    cells[0]["source"] = [l + "\n" for l in text[:-1]] + [text[-1]]
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(path)
