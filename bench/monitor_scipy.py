"""The peer for bench/monitor: what Evidently computes for a large reference, with pandas and SciPy on
the raw data (which monitor does not need: it has only the reference profile).

Numeric columns: scipy.stats.wasserstein_distance(reference, current) / std(reference), drift at 0.1.
Categorical columns: scipy.spatial.distance.jensenshannon of the category frequencies, drift at 0.1.
Prints one JSON line: seconds and peak RSS (MiB)."""
import json
import resource
import sys
import time

import numpy as np
import pandas as pd
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance

ref_path, cur_path = sys.argv[1], sys.argv[2]
ignore = {"id", "signup"}
t0 = time.perf_counter()
ref = pd.read_csv(ref_path)
cur = pd.read_csv(cur_path)
drifted = []
for col in ref.columns:
    if col in ignore:
        continue
    r = ref[col].dropna()
    c = cur[col].dropna()
    if pd.api.types.is_numeric_dtype(r) and r.nunique() > 5:
        std = max(float(np.std(r)), 0.001)
        score = wasserstein_distance(r, c) / std
    else:
        keys = sorted(set(r.astype(str)) | set(c.astype(str)))
        rf = r.astype(str).value_counts(normalize=True).reindex(keys, fill_value=0)
        cf = c.astype(str).value_counts(normalize=True).reindex(keys, fill_value=0)
        score = float(jensenshannon(rf, cf))
    if score >= 0.1:
        drifted.append(col)
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "drifted": drifted}))
