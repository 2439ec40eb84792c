"""Recipe search for minute-scale CPU runs: each candidate trains with pretext-cli for a fixed time
budget, then its end-of-run kNN probe is read from the run's database next to the two baselines the
same run stored (the untrained network and the raw pixels, on the same bank and queries).

Tuning never sees a test split: for Fashion-MNIST the queries are 10,000 training images the runs do
not train on (images 50,000-59,999 of the training file, written here as IDX files) and --final queries
the official test split; for CIFAR-10 (only its training images are at hand) 500 images per class are
held out for tuning and another 500 for --final. Usage:

  python bench/cpu_recipes/search.py --recipes bench/cpu_recipes/classroom.json --out results.jsonl
      [--dataset fmnist|cifar] [--final] [--only LABEL ...] [--budget 3m]

Each recipe is {"label": ..., "config": {TrainConfig fields}} laid over --base (a JSON object), or
{"label": ..., "preset": NAME, "flags": [...]}: `pretext-cli train --preset NAME` with those flags.
Prints one JSON line per recipe and appends it to --out.
"""
import argparse
import gzip
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FMNIST = os.environ.get("FMNIST_DIR", "/usr/share/datasets/fashion-mnist")


def idx_slice(src, dst, first, count):
    """Writes images or labels [first, first + count) of an IDX file as a gzipped IDX file."""
    with gzip.open(src, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    item = 1
    for d in shape[1:]:
        item *= d
    head = 4 + 4 * dims
    body = raw[head + first * item:head + (first + count) * item]
    out = bytearray(raw[:4]) + count.to_bytes(4, "big") + raw[8:head]
    with gzip.open(dst, "wb") as f:
        f.write(bytes(out) + body)


def fmnist_holdout(work):
    """Images 50,000-59,999 of Fashion-MNIST's training file, never trained on by a 6,000-image run."""
    images = os.path.join(work, "fmnist-holdout-images-idx3-ubyte.gz")
    if not os.path.exists(images):
        idx_slice(os.path.join(FMNIST, "train-images-idx3-ubyte.gz"), images, 50000, 10000)
        idx_slice(os.path.join(FMNIST, "train-labels-idx1-ubyte.gz"),
                  os.path.join(work, "fmnist-holdout-labels-idx1-ubyte.gz"), 50000, 10000)
    return images


def cifar_split(work, archive):
    """CIFAR-10's 50,000 training JPEGs as three class-folder trees: train (4,000 per class), tune (the
    next 500 per class: the queries of the search) and final (the last 500 per class: measured once,
    for the chosen recipe). Hard links into one extracted copy."""
    root = os.path.join(work, "cifar")
    parts = {"train": (0, 4000), "tune": (4000, 4500), "final": (4500, 5000)}
    if not os.path.isdir(os.path.join(root, "final")):
        src = os.path.join(work, "cifar-all")
        if not os.path.isdir(os.path.join(src, "train")):
            os.makedirs(src, exist_ok=True)
            subprocess.run(["tar", "-I", "zstd", "-xf", archive, "-C", src], check=True)
        for cls in sorted(os.listdir(os.path.join(src, "train"))):
            files = sorted(os.listdir(os.path.join(src, "train", cls)))
            for part, (a, b) in parts.items():
                dst = os.path.join(root, part + ".tmp", cls)
                os.makedirs(dst, exist_ok=True)
                for f in files[a:b]:
                    os.link(os.path.join(src, "train", cls, f), os.path.join(dst, f))
        for part in parts:
            os.rename(os.path.join(root, part + ".tmp"), os.path.join(root, part))
    return {part: os.path.join(root, part) for part in parts}


def read_result(db):
    con = sqlite3.connect(db)
    run_id, status, cfg = con.execute("SELECT id, status, config FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    cfg = json.loads(cfg)
    probe = con.execute("SELECT accuracy, top5, bank, queries, step FROM probes WHERE run_id=? AND kind='knn' "
                        "ORDER BY step DESC, id DESC LIMIT 1", (run_id,)).fetchone()
    base = {b: a for b, a in con.execute("SELECT baseline, accuracy FROM baselines WHERE scope='final'")}
    online = [v for (v,) in con.execute("SELECT value FROM metrics WHERE run_id=? AND name='diag/online_knn' "
                                        "ORDER BY step", (run_id,))]
    steps = con.execute("SELECT MAX(step) FROM metrics WHERE run_id=?", (run_id,)).fetchone()[0]
    return {"status": status, "steps": steps, "knn": probe[0] if probe else None,
            "top5": probe[1] if probe else None, "bank": probe[2] if probe else None,
            "queries": probe[3] if probe else None, "baselines": base,
            "online_knn_first_last": [online[0], online[-1]] if online else None,
            "backbone": cfg.get("backbone"), "lr": cfg.get("lr")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--recipes", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--dataset", default="fmnist", choices=["fmnist", "cifar"])
    ap.add_argument("--final", action="store_true",
                    help="query the test split (Fashion-MNIST's t10k; CIFAR's final part) instead of the tuning one")
    ap.add_argument("--cifar-archive", default=os.path.join(ROOT, "..", "shared", "data", "cifar10-train.tar.zst"))
    ap.add_argument("--base", default='{"limit": 6000, "device": "cpu", "seed": 0}')
    ap.add_argument("--budget", default="", help="overrides every recipe's time budget (90s, 3m)")
    ap.add_argument("--only", nargs="*", default=[])
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "app", "cli", "pretext-cli"))
    args = ap.parse_args()
    work = os.environ.get("RECIPE_WORK", os.path.join(tempfile.gettempdir(), "pretext-recipes"))
    os.makedirs(work, exist_ok=True)
    if args.dataset == "fmnist":
        data = os.path.join(FMNIST, "train-images-idx3-ubyte.gz")
        eval_data = os.path.join(FMNIST, "t10k-images-idx3-ubyte.gz") if args.final else fmnist_holdout(work)
    else:
        split = cifar_split(work, args.cifar_archive)
        data, eval_data = split["train"], split["final" if args.final else "tune"]
    with open(args.recipes) as f:
        recipes = json.load(f)
    for r in recipes:
        if args.only and r["label"] not in args.only:
            continue
        cfg = json.loads(args.base)
        cfg.update(r.get("config", {}))
        ref = cfg.get("pipeline_json", {}).get("$ref") if isinstance(cfg.get("pipeline_json"), dict) else None
        if ref:  # a candidate pipeline of bench/cpu_recipes/pipelines
            with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pipelines", ref + ".json")) as f:
                cfg["pipeline_json"] = json.load(f)
        cfg.update({"data": data, "eval_data": eval_data})
        tag = r["label"] + ("-final" if args.final else "")
        cfg_path = os.path.join(work, tag + ".json")
        db = os.path.join(work, tag + ".db")
        for p in (db, db + "-wal", db + "-shm"):
            if os.path.exists(p):
                os.remove(p)
        if args.budget:
            cfg["time_budget_s"] = float(args.budget.rstrip("sm")) * (60 if args.budget.endswith("m") else 1)
        with open(cfg_path, "w") as f:
            json.dump(cfg, f)
        cmd = [args.cli, "train", "--config", cfg_path, "--db", db]
        if "preset" in r:  # a named preset as a user runs it: the preset, the data and the recipe's flags only
            cmd = [args.cli, "train", "--preset", r["preset"], "--data", data, "--eval-data", eval_data,
                   "--db", db] + r.get("flags", [])
        t0 = time.time()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.time() - t0
        if proc.returncode != 0:
            print(proc.stdout[-2000:], proc.stderr[-2000:], file=sys.stderr)
        row = {"label": r["label"], "queries_from": "test" if args.final else "tuning", "config": r.get("config", {"preset": r.get("preset"), "flags": r.get("flags", [])}), "wall_s": round(wall, 1), "rc": proc.returncode,
               "load": os.getloadavg()[0]}
        try:
            row.update(read_result(db))
        except Exception as e:  # a failed run still gets its row
            row["error"] = str(e)
        line = json.dumps(row)
        print(line, flush=True)
        with open(args.out, "a") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
