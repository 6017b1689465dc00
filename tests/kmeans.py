#!/usr/bin/env python3
"""An independent k-means for the tests of mx-kmeans, from its man page.

    kmeans.py gen SEED N K D SPREAD   well-separated blobs, NDJSON with "truth"
    kmeans.py fit K FEATURES MAXITER FILE SEED,RESTARTS,SCALE ...
                                      a line per run (one process for all:
                                      its start is most of the time taken)
                                      {"inertia":..,"iterations":..,"labels":[..]}
    kmeans.py ari A B FILE ...        the adjusted Rand index of fields A and
                                      B, a line per file

Python's own floats are IEEE 754 doubles, and every sum below is a plain
loop in input order (sum() of floats compensates since 3.12), so the same
draws give the same centres as any implementation of the same steps.
No third-party package is used.
"""
import json
import math
import random
import sys

M64 = (1 << 64) - 1


class Xoshiro:
    """xoshiro256** (Blackman and Vigna), seeded from splitmix64."""

    def __init__(self, seed):
        self.s = []
        x = seed & M64
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & M64
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
            self.s.append(z ^ (z >> 31))

    @staticmethod
    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & M64

    def next(self):
        s = self.s
        result = (self.rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = self.rotl(s[3], 45)
        return result

    def uniform(self):
        return (self.next() >> 11) / 9007199254740992.0

    def index(self, n):
        return min(int(self.uniform() * n), n - 1)


def sqdist(a, b):
    s = 0.0
    for x, y in zip(a, b):
        s += (x - y) * (x - y)
    return s


def scale(rows, how):
    d = len(rows[0])
    n = len(rows)
    out = [list(r) for r in rows]
    for f in range(d):
        col = [r[f] for r in rows]
        if how == "z":
            mean = 0.0
            for v in col:
                mean += v
            mean /= n
            var = 0.0
            for v in col:
                var += (v - mean) * (v - mean)
            sd = math.sqrt(var / n)
            c, s = mean, (sd if sd > 0 else 1.0)
        elif how == "minmax":
            lo, hi = min(col), max(col)
            c, s = lo, (hi - lo if hi > lo else 1.0)
        else:
            c, s = 0.0, 1.0
        for r in out:
            r[f] = (r[f] - c) / s
    return out


def kmeanspp(pts, k, rng):
    n = len(pts)
    centres = [list(pts[rng.index(n)])]
    near = [sqdist(p, centres[0]) for p in pts]
    while len(centres) < k:
        total = 0.0
        for v in near:
            total += v
        if total > 0:
            target = rng.uniform() * total
            run = 0.0
            chosen = None
            for i, v in enumerate(near):
                run += v
                if run > target:
                    chosen = i
                    break
            if chosen is None:
                chosen = max(i for i, v in enumerate(near) if v > 0)
        else:
            chosen = rng.index(n)
        centres.append(list(pts[chosen]))
        for i, p in enumerate(pts):
            near[i] = min(near[i], sqdist(p, centres[-1]))
    return centres


def lloyd(pts, centres, maxiter):
    k, d = len(centres), len(pts[0])
    labels = [None] * len(pts)
    it = 0
    while True:
        it += 1
        moved = 0
        inertia = 0.0
        for i, p in enumerate(pts):
            dists = [sqdist(p, c) for c in centres]
            best = dists.index(min(dists))
            if labels[i] != best:
                labels[i] = best
                moved += 1
            inertia += dists[best]
        if moved == 0 or it == maxiter:
            return labels, inertia, it
        sums = [[0.0] * d for _ in range(k)]
        counts = [0] * k
        for p, lab in zip(pts, labels):
            counts[lab] += 1
            for f in range(d):
                sums[lab][f] += p[f]
        for j in range(k):
            if counts[j]:
                centres[j] = [s / counts[j] for s in sums[j]]


def fit(k, features, maxiter, path, runs):
    names = features.split(",")
    rows = []
    with open(path) as fh:
        for line in fh:
            if line.strip():
                r = json.loads(line)
                rows.append([float(r[f]) for f in names])
    for run in runs:
        seed, restarts, how = run.split(",")
        fit1(k, rows, int(seed), int(restarts), maxiter, how)


def fit1(k, rows, seed, restarts, maxiter, how):
    pts = scale(rows, how)
    rng = Xoshiro(seed)
    best = None
    for _ in range(restarts):
        centres = kmeanspp(pts, k, rng)
        labels, inertia, it = lloyd(pts, centres, maxiter)
        if best is None or inertia < best[1]:
            best = (labels, inertia, it)
    print(json.dumps({"inertia": best[1], "iterations": best[2],
                      "labels": best[0]}))


def gen(seed, n, k, d, spread):
    rng = random.Random(seed)
    centres = [[rng.uniform(-100, 100) for _ in range(d)] for _ in range(k)]
    for i in range(n):
        t = rng.randrange(k)
        rec = {"id": i}
        for f in range(d):
            rec["f%d" % f] = round(rng.gauss(centres[t][f], spread), 4)
        rec["truth"] = t
        print(json.dumps(rec, separators=(",", ":")))


def ari(a, b, path):
    pairs = []
    with open(path) as fh:
        for line in fh:
            if line.strip():
                r = json.loads(line)
                pairs.append((r[a], r[b]))
    n = len(pairs)

    def comb2(x):
        return x * (x - 1) / 2

    table, ra, rb = {}, {}, {}
    for x, y in pairs:
        table[(x, y)] = table.get((x, y), 0) + 1
        ra[x] = ra.get(x, 0) + 1
        rb[y] = rb.get(y, 0) + 1
    index = sum(comb2(v) for v in table.values())
    sa = sum(comb2(v) for v in ra.values())
    sb = sum(comb2(v) for v in rb.values())
    expected = sa * sb / comb2(n)
    top = (sa + sb) / 2
    print("%.6f" % (1.0 if top == expected else
                    (index - expected) / (top - expected)))


def main(argv):
    if len(argv) >= 1 and argv[0] == "gen" and len(argv) == 6:
        gen(int(argv[1]), int(argv[2]), int(argv[3]), int(argv[4]),
            float(argv[5]))
    elif len(argv) >= 1 and argv[0] == "fit" and len(argv) >= 6:
        fit(int(argv[1]), argv[2], int(argv[3]), argv[4], argv[5:])
    elif len(argv) >= 1 and argv[0] == "ari" and len(argv) >= 4:
        for path in argv[3:]:
            ari(argv[1], argv[2], path)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
