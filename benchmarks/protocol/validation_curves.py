#!/usr/bin/env python3
"""Did each seed train until its validation curve had flattened? Reads a train stage's history as CSV.

  dotnet run --project pipeline -c Release -- --config pipelines/food-kitchen.yaml \
      inspect artifacts/food-kitchen/train_sasrec_food_to_kitchen/history.parquet --csv -n 100000 > history.csv
  python3 benchmarks/protocol/validation_curves.py history.csv

Per seed: the epochs run, the best epoch and its validation NDCG@10 (full ranking, %), the mean of the last 50
epochs, and the least-squares slope of those 50 epochs in points per 100 epochs: a curve that has flattened has a
slope near zero or below it; one stopped while still climbing has a clearly positive one.
"""
import csv
import statistics
import sys


def main(path):
    seeds = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            if row["valid_full_ndcg10"]:
                seeds.setdefault(int(row["seed"]), []).append((int(row["epoch"]), 100 * float(row["valid_full_ndcg10"])))
    print("| seed | epochs run | best epoch | best valid N@10 | mean of the last 50 | slope of the last 50 (per 100 epochs) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for seed, curve in sorted(seeds.items()):
        curve.sort()
        best_epoch, best = max(curve, key=lambda p: p[1])
        tail = curve[-50:]
        xs, ys = [e for e, _ in tail], [v for _, v in tail]
        mx, my = statistics.mean(xs), statistics.mean(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
        print(f"| {seed} | {curve[-1][0]} | {best_epoch} | {best:.2f} | {my:.2f} | {100 * slope:+.2f} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
