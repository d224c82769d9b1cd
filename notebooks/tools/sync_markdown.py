#!/usr/bin/env python3
"""Copies the markdown of a generator (make_NN.py) into the executed notebook NN, leaving its code cells and outputs
as the full run wrote them. Prose written after a run (numbers, conclusions) reaches the notebook without re-running
it — and without hand-editing JSON. Refuses when any code cell's source differs from the generator's: then the
outputs would no longer belong to the code, and the notebook must be re-run instead.

    python3 notebooks/tools/sync_markdown.py 03
"""
import json, os, pathlib, subprocess, sys, tempfile

tools = pathlib.Path(__file__).resolve().parent
if len(sys.argv) != 2:
    sys.exit("usage: sync_markdown.py NN   (e.g. 03)")
nn = sys.argv[1]
matches = sorted(tools.parent.glob(f"{nn}-*.ipynb"))
if len(matches) != 1:
    sys.exit(f"expected one executed notebook notebooks/{nn}-*.ipynb, found {len(matches)}")
executed_path = matches[0]
with tempfile.TemporaryDirectory() as scratch:
    subprocess.run([sys.executable, str(tools / f"make_{nn}.py")], check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "NB_OUT_DIR": scratch})
    generated = json.loads((pathlib.Path(scratch) / executed_path.name).read_text(encoding="utf-8"))
executed = json.loads(executed_path.read_text(encoding="utf-8"))

new_cells, old_cells = generated["cells"], executed["cells"]
if [c["id"] for c in new_cells] != [c["id"] for c in old_cells]:
    sys.exit(f"{executed_path.name}: the generator's cells (ids) differ from the executed notebook's; re-run the notebook.")
changed = 0
for new, old in zip(new_cells, old_cells):
    if new["cell_type"] == "code":
        if new["source"] != old["source"]:
            sys.exit(f"{executed_path.name}: code cell {new['id']} differs from the generator's; re-run the notebook.")
    elif new["source"] != old["source"]:
        old["source"] = new["source"]
        changed += 1
executed_path.write_text(json.dumps(executed, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
print(f"{executed_path}: {changed} markdown cell(s) updated")
