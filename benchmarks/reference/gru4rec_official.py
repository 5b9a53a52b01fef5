#!/usr/bin/env python3
"""hidasib/GRU4Rec_PyTorch_Official on a split written by the `export` stage, scored as this toolkit scores.

The official code is not part of this project: pass a checkout of it with --repo (its gru4rec_pytorch.py is imported
as is). This driver only feeds it the split and scores it:

- training: each user's target items but the last two, one session per user, in time order (the official
  session-parallel mini-batches, Adagrad, its cross-entropy over the batch's items plus n_sample popularity-drawn ones);
- after every epoch, validation (the second-to-last item, from the items before it) and test (the last item, from
  every item before it) under this toolkit's full-ranking protocol: the target among every target item except the
  user's other items, rank = 1 + the candidates scoring at least as high (ties count against the target);
- the test figures reported are those of the epoch with the best validation NDCG@10 (never chosen on test).

Usage (from the repo root; the export stage writes the split):
  python3 benchmarks/reference/gru4rec_official.py --repo ../GRU4Rec_PyTorch_Official \
      --split artifacts/parity/export_food_to_kitchen/sequences.txt --seeds 1 2 3 4 5 --epochs 30 \
      --params loss=cross-entropy,layers=64,batch_size=32,dropout_p_hidden=0.4,learning_rate=0.2,momentum=0.2,n_sample=2048,sample_alpha=0.5,logq=1.0
"""
import argparse
import json
import math
import sys
from collections import OrderedDict

import numpy as np
import pandas as pd
import torch


def read_split(path):
    """sequences.txt: `user item` per line, each user's items in time order, both numbered from 1."""
    users = OrderedDict()
    with open(path) as f:
        for n, line in enumerate(f, 1):
            parts = line.split()
            if len(parts) != 2:
                sys.exit(f"{path}:{n}: expected 'user item', got {line.strip()!r}")
            users.setdefault(int(parts[0]), []).append(int(parts[1]))
    return users


def typed_params(text):
    """The official run.py's parameter string (name=value,...), typed the way its set_params types them."""
    params = {}
    for pair in text.split(","):
        name, value = pair.split("=")
        if name == "layers":
            params[name] = [int(v) for v in value.split("/")]
        elif name in ("loss",):
            params[name] = value
        elif name in ("batch_size", "n_sample", "n_epochs", "embedding"):
            params[name] = int(value)
        elif name == "constrained_embedding":
            params[name] = value in ("True", "1")
        else:
            params[name] = float(value)
    return params


@torch.no_grad()
def final_states(gru, sequences, batch=512):
    """The last hidden state after each sequence (variable lengths: a finished row keeps its state)."""
    model, itemidmap = gru.model, gru.data_iterator.itemidmap
    model.eval()
    out = []
    for b in range(0, len(sequences), batch):
        part = sequences[b:b + batch]
        length = max(len(s) for s in part)
        H = [torch.zeros((len(part), size)) for size in gru.layers]
        for t in range(length):
            active = torch.tensor([t < len(s) for s in part])
            # Items never seen in training have no row; the official code drops them from the input likewise.
            ids = [itemidmap.get(str(s[t]), -1) if t < len(s) else -1 for s in part]
            known = torch.tensor([bool(i >= 0) for i in ids]) & active
            before = [h.clone() for h in H]
            model.forward(torch.tensor([max(i, 0) for i in ids]), H, None, training=False)
            for i in range(len(H)):
                H[i] = torch.where(known.unsqueeze(1), H[i], before[i])
        out.append(H[-1])
    return torch.cat(out)


def full_ranking(gru, users, split):
    """HR@10 and NDCG@10 (%) of the validation or test item under the toolkit's full-ranking protocol."""
    itemidmap = gru.data_iterator.itemidmap
    model = gru.model
    all_items = sorted({i for items in users.values() for i in items})
    column = {item: itemidmap.get(str(item), -1) for item in all_items}
    inputs, targets, others = [], [], []
    for items in users.values():
        cut = len(items) - (2 if split == "valid" else 1)
        inputs.append(items[:cut])
        targets.append(items[cut])
        others.append(set(items) - {items[cut]})
    states = final_states(gru, inputs)
    with torch.no_grad():
        scores = (states @ model.Wy.weight.T + model.By.weight.T).numpy()
    hr = ndcg = 0.0
    for u, target in enumerate(targets):
        if column[target] < 0:
            continue  # an item the model never saw cannot be recommended: a miss
        t = scores[u, column[target]]
        higher = sum(1 for item in all_items
                     if item != target and item not in others[u] and column[item] >= 0 and scores[u, column[item]] >= t)
        rank = 1 + higher
        if rank <= 10:
            hr += 1
            ndcg += 1 / math.log2(rank + 1)
    n = len(targets)
    return {"HR@10": 100 * hr / n, "NDCG@10": 100 * ndcg / n}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", required=True, help="a checkout of hidasib/GRU4Rec_PyTorch_Official")
    parser.add_argument("--split", required=True, help="sequences.txt from the export stage")
    parser.add_argument("--params", required=True, help="the official run.py's parameter string")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--epochs", type=int, default=30, help="epochs; the best validation epoch is kept")
    parser.add_argument("--out", help="write the per-seed figures here as JSON")
    args = parser.parse_args()
    sys.path.insert(0, args.repo)
    import gru4rec_pytorch
    from gru4rec_pytorch import GRU4Rec

    # The official fit() has no per-epoch hook; its iterator is re-entered once per epoch, so a subclass that calls
    # back on every re-entry after the first sees each finished epoch without touching the official code.
    class EpochNotifyingIterator(gru4rec_pytorch.SessionDataIterator):
        callback = None

        def __iter__(self):
            self.epochs = getattr(self, "epochs", 0)
            if self.epochs > 0 and EpochNotifyingIterator.callback is not None:
                EpochNotifyingIterator.callback(self.epochs)
            self.epochs += 1
            return super().__iter__()

    gru4rec_pytorch.SessionDataIterator = EpochNotifyingIterator

    users = read_split(args.split)
    rows = [(u, str(i), t) for u, items in users.items() for t, i in enumerate(items[:-2])]
    train = pd.DataFrame(rows, columns=["SessionId", "ItemId", "Time"])
    results = []
    for seed in args.seeds:
        torch.manual_seed(seed)
        np.random.seed(seed)
        gru = GRU4Rec(device=torch.device("cpu"))
        params = typed_params(args.params)
        params["n_epochs"] = args.epochs
        for name, value in params.items():
            setattr(gru, name, value)
        best = {"valid": {"NDCG@10": -1.0}}

        def on_epoch(epoch):
            training = gru.model.training
            valid = full_ranking(gru, users, "valid")
            if valid["NDCG@10"] > best["valid"]["NDCG@10"]:
                best.update(epoch=epoch, valid=valid, test=full_ranking(gru, users, "test"))
            print(f"seed {seed} epoch {epoch}: valid {valid}", flush=True)
            gru.model.train(training)

        EpochNotifyingIterator.callback = on_epoch
        gru.fit(train.copy())
        on_epoch(gru.n_epochs)
        print(f"seed {seed}: best epoch {best['epoch']}, test {best['test']}", flush=True)
        results.append({"seed": seed, **best})
    for metric in ("HR@10", "NDCG@10"):
        values = [r["test"][metric] for r in results]
        std = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
        print(f"test full {metric}: {np.mean(values):.2f} ± {std:.2f}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"split": args.split, "torch": torch.__version__, "params": args.params, "epochs": args.epochs, "seeds": results}, f, indent=2)


if __name__ == "__main__":
    main()
