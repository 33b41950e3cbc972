"""The peer for bench/validate: pandas doing the comparable work on the same CSV.

read_csv, describe(include='all'), null counts per column, min/max range checks on the numeric columns
and a duplicate-row count. Prints one JSON line: seconds, peak RSS (MiB) and the whole process's CPU time
(user + system, seconds, the interpreter's start and the imports included, as the other side's is)."""
import json
import resource
import sys
import time

import pandas as pd

path = sys.argv[1]
t0 = time.perf_counter()
df = pd.read_csv(path)
desc = df.describe(include="all")
nulls = df.isnull().sum()
numeric = df.select_dtypes("number")
out_of_range = ((numeric < -1e9) | (numeric > 1e9)).sum()
dups = int(df.duplicated().sum())
seconds = time.perf_counter() - t0
usage = resource.getrusage(resource.RUSAGE_SELF)
rss_mib = usage.ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rss_mib": rss_mib, "cpu_s": usage.ru_utime + usage.ru_stime, "rows": len(df), "columns": len(df.columns),
                  "nulls": int(nulls.sum()), "out_of_range": int(out_of_range.sum()), "duplicates": dups,
                  "described": int(desc.shape[1])}))
