"""Dump shards -> compact per-dataset arrays aligned with features.json's gold order (research).

OUT/<ds>/: gold.json (gold + features + findings), tok_seg.npy [T] (segment index of each scored target token of the
source pass), tok_lp, tok_lpmax, tok_off [T,2] (offsets into segment target), tok_id, states_L{l}.npy [T,640] int16
(bf16 bits), srcpool_L{l}.npy [S,640] f32 (mean over the source-body positions), tgt_* the same for the target-only
pass (offsets into the segment target too) with tgt_states_L{l}.
"""
import json
import sys
from pathlib import Path

import numpy as np

LAYERS = (3, 6, 9, 12, 15, 18)
TGT_LAYERS = (6, 12, 18)


def bf16(x):
    return (x.astype(np.int32).astype(np.uint32) << 16).view(np.float32)


def main(dump_dir, out_dir):
    dump_dir, out_dir = Path(dump_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    entry = json.load(open(dump_dir / "features.json"))["entries"][0]
    gold = entry["gold"]
    index = {(f"{g['system']}/{g['doc']}", g["seg_id"]): i for i, g in enumerate(gold)}
    S = len(gold)
    if not (out_dir / "srcpool_L18.npy").exists():
        # ---- source pass: a first sweep for the token layout, then one sweep per layer into a preallocated array
        shards = sorted(dump_dir.glob("src_*.npz"))
        layout = []  # (shard, row, segment, a, c, b)
        seen = np.zeros(S, bool)
        for n, shard in enumerate(shards):
            d = np.load(shard, allow_pickle=True)
            ptr, nctx = d["row_ptr"], d["n_ctx"]
            for r, key in enumerate(d["keys"]):
                i = index[(key[0], key[1])]
                seen[i] = True
                layout.append((n, r, i, ptr[r], ptr[r] + nctx[r], ptr[r + 1]))
        print("segments without a source row:", int((~seen).sum()), file=sys.stderr)
        layout.sort(key=lambda t: t[2])  # segment order
        T = int(sum(b - c for *_, c, b in layout))
        where = {}
        pos = 0
        for n, r, i, a, c, b in layout:
            where[(n, r)] = pos
            pos += b - c
        tok = {"seg": np.zeros(T, np.int32), "lp": np.zeros(T, np.float32), "lpmax": np.zeros(T, np.float32),
               "off": np.zeros((T, 2), np.int32), "id": np.zeros(T, np.int32)}
        for j, l in enumerate([None] + list(LAYERS)):
            if l is not None:
                arr = np.lib.format.open_memmap(out_dir / f"states_L{l}.npy", "w+", np.int16, (T, 640))
                pool = np.zeros((S, 640), np.float32)
            for n, shard in enumerate(shards):
                d = np.load(shard, allow_pickle=True)
                st = d["states"][:, j - 1] if l is not None else None
                ptr, nctx = d["row_ptr"], d["n_ctx"]
                for r, key in enumerate(d["keys"]):
                    i = index[(key[0], key[1])]
                    a, b = ptr[r], ptr[r + 1]
                    c = a + nctx[r]
                    p0 = where[(n, r)]
                    if l is None:
                        tok["seg"][p0:p0 + b - c] = i
                        tok["lp"][p0:p0 + b - c] = d["lp"][c:b]
                        tok["lpmax"][p0:p0 + b - c] = d["lpmax"][c:b]
                        tok["off"][p0:p0 + b - c] = d["off"][c:b]
                        tok["id"][p0:p0 + b - c] = d["ids"][c:b]
                    else:
                        arr[p0:p0 + b - c] = st[c:b]
                        if c > a + 1:
                            pool[i] = bf16(st[a + 1:c]).mean(0)
                del d, st
            if l is None:
                for k, v in tok.items():
                    np.save(out_dir / f"tok_{k}.npy", v)
            else:
                arr.flush()
                del arr
                np.save(out_dir / f"srcpool_L{l}.npy", pool)
            print("layer", l, file=sys.stderr, flush=True)
    # ---- target-only pass (per sentence): whole shards at once (every position is a scored token)
    parts = {k: [] for k in ("seg", "lp", "lpmax", "off", "states")}
    for shard in sorted(dump_dir.glob("tgt_*.npz")):
        d = np.load(shard, allow_pickle=True)
        ptr = d["row_ptr"]
        seg = np.zeros(ptr[-1], np.int32)
        sent = np.zeros(ptr[-1], np.int32)
        for r, key in enumerate(d["keys"]):
            seg[ptr[r]:ptr[r + 1]] = index[(key[0], key[1])]
            sent[ptr[r]:ptr[r + 1]] = int(key[2])
        parts["seg"].append(seg)
        parts["lp"].append(d["lp"]); parts["lpmax"].append(d["lpmax"])
        parts["off"].append(np.column_stack([d["off"], sent]))
        parts["states"].append(d["states"])
        del d
    order = np.argsort(np.concatenate(parts["seg"]), kind="stable")
    for k in ("seg", "lp", "lpmax", "off"):
        np.save(out_dir / f"tgt_{k}.npy", np.concatenate(parts[k])[order])
    states = np.concatenate(parts.pop("states"))
    for j, l in enumerate(TGT_LAYERS):
        np.save(out_dir / f"tgt_states_L{l}.npy", states[order, j])
    del states
    json.dump(entry, open(out_dir / "gold.json", "w"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
