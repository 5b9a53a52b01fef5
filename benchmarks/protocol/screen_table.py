#!/usr/bin/env python3
"""A screen of variants on validation only: per train stage, its best validation epoch and value, and its curve.

  python3 benchmarks/protocol/screen_table.py artifacts/food-kitchen semacdr_screen_literal semacdr_screen_causal_user ...

Reads each stage's history.parquet through `crossdomain inspect --csv` (the CLI built in pipeline/bin/Release) and
prints a Markdown table: validation full NDCG@10 and HR@10 at the best epoch (%), the same NDCG@10 at epochs 10,
20, 30 and the last one, the sampled NDCG@10 at the best epoch, and the mean seconds per epoch. No test number is
read: the screen chooses on validation alone.
"""
import csv
import io
import os
import subprocess
import sys

CLI = os.environ.get("CROSSDOMAIN", "pipeline/bin/Release/net10.0/crossdomain")


def history(root, stage):
    out = subprocess.run([CLI, "inspect", os.path.join(root, stage, "history.parquet"), "--csv", "-n", "1000000"],
                         check=True, capture_output=True, text=True).stdout
    return list(csv.DictReader(io.StringIO(out)))


def main(root, stages):
    print("| stage | model | best epoch | valid full N@10 | valid full HR@10 | N@10 at 10 / 20 / 30 / last | valid sampled N@10 | s / epoch |")
    print("| --- | --- | ---: | ---: | ---: | --- | ---: | ---: |")
    for stage in stages:
        rows = [r for r in history(root, stage) if r["valid_full_ndcg10"]]
        rows.sort(key=lambda r: int(r["epoch"]))
        best = max(rows, key=lambda r: float(r["valid_full_ndcg10"]))
        by_epoch = {int(r["epoch"]): 100 * float(r["valid_full_ndcg10"]) for r in rows}
        last = max(by_epoch)
        curve = " / ".join(f"{by_epoch[e]:.2f}" if e in by_epoch else "–" for e in (10, 20, 30, last))
        seconds = sum(float(r["seconds"]) for r in rows) / len(rows)
        print(f"| {stage} | {best['model']} | {best['epoch']} | {100 * float(best['valid_full_ndcg10']):.2f} | "
              f"{100 * float(best['valid_full_hr10']):.2f} | {curve} | {100 * float(best['valid_sampled_ndcg10']):.2f} | {seconds:.1f} |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
