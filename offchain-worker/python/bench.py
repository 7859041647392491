"""The Python half of `poq-scorer bench`: the same tasks through Python onnxruntime
(`consistency.py`, the same computation as the Rust engine), timed the same way. Prints JSON.

    python bench.py TASKS_JSON MODELS_DIR THREADS

TASKS_JSON: {"long": {query, outputs}, "short": [{query, reference, outputs}, ...]}.
"""
import json
import resource
import sys
import time

import consistency


def main():
    work = json.load(open(sys.argv[1]))
    d, threads = sys.argv[2], int(sys.argv[3])
    engine = consistency.Engine(d, threads)
    engine.score_task("warm up", None, ["warm up"])
    long = work["long"]
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        engine.score_task(long["query"], None, long["outputs"])
        runs.append(time.perf_counter() - t)
    t = time.perf_counter()
    outputs = 0
    for task in work["short"]:
        engine.score_task(task["query"], task.get("reference"), task["outputs"])
        outputs += len(task["outputs"])
    short = outputs / (time.perf_counter() - t)
    print(json.dumps({"long_task_seconds": sorted(runs)[1], "short_outputs_per_second": short,
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
