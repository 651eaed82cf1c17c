#!/usr/bin/env python3
"""Turns the runs bench/run.sh recorded (one JSON line each) into a table on
stdout and a results file.

    report.py RUNS.jsonl OUT.json MODE DURATION
"""
import json
import os
import platform
import subprocess
import sys
import time


def derive(run):
    load = run.get("load") or {}
    cpu_s = run.get("server_cpu_s", 0.0)
    wall = run.get("wall_s", 0.0)
    out = {
        "server": run["server"],
        "workload": run["workload"],
        "server_cpu_s": cpu_s,
        "wall_s": wall,
        "server_util": cpu_s / wall if wall > 0 else None,
        "load": load,
    }
    box = run.get("box_cpu_s")
    gen = load.get("client_cpu_total_s")
    if box is not None and gen is not None and wall > 0:
        # Busy CPU of the machine that was neither the server nor the
        # generator: loopback softirq work, and anything else running (noise).
        out["other_util"] = max(0.0, box - cpu_s - gen) / wall
    if load.get("mode") == "echo":
        ops = load.get("ops", 0)
        out["ops"] = ops
        out["ops_per_s"] = load.get("ops_per_s")
        # Op = one REQUEST sys.echo answered; the server's CPU over the whole
        # generator run (connection set-up included) divided by the ops.
        out["cpu_us_per_op"] = cpu_s * 1e6 / ops if ops else None
        out["p50_us"] = load.get("p50_us")
        out["p99_us"] = load.get("p99_us")
        out["p999_us"] = load.get("p999_us")
        out["client_util"] = load.get("client_cpu_util")
        out["rss_kb"] = run.get("rss_kb")
    elif load.get("mode") == "idle":
        n = load.get("connected", 0)
        out["sessions"] = n
        out["failed"] = load.get("failed")
        out["ops_per_s"] = n / load["open_s"] if load.get("open_s") else None
        # Op = one connection opened: TCP, WebSocket upgrade, HELLO, SESSION_OPEN.
        out["cpu_us_per_op"] = cpu_s * 1e6 / n if n else None
        rss0, rss1 = run.get("rss_before_kb"), run.get("rss_kb")
        out["rss_before_kb"] = rss0
        out["rss_kb"] = rss1
        out["rss_per_session_kb"] = (rss1 - rss0) / n if n and rss0 is not None and rss1 is not None else None
    return out


def fmt(x, spec="{:.1f}"):
    return "-" if x is None else spec.format(x)


def main():
    runs_path, out_path, mode, duration = sys.argv[1:5]
    with open(runs_path) as f:
        runs = [derive(json.loads(line)) for line in f if line.strip()]

    base = {r["workload"]: r for r in runs if r["server"] == "baseline"}
    for r in runs:
        b = base.get(r["workload"])
        if r["server"] != "baseline" and b and b.get("cpu_us_per_op") and r.get("cpu_us_per_op"):
            r["cpu_ratio_vs_baseline"] = r["cpu_us_per_op"] / b["cpu_us_per_op"]

    head = ["server", "workload", "ops/s", "CPU us/op", "x base", "p50 us", "p99 us",
            "p99.9 us", "RSS/session", "srv CPU/wall", "gen CPU/wall", "other CPU/wall"]
    rows = []
    for r in runs:
        util = r.get("server_util")
        sat = "" if util is None else (" sat" if util >= 0.9 else "")
        rows.append([
            r["server"], r["workload"], fmt(r.get("ops_per_s"), "{:.0f}"),
            fmt(r.get("cpu_us_per_op"), "{:.2f}"),
            fmt(r.get("cpu_ratio_vs_baseline"), "{:.2f}"),
            fmt(r.get("p50_us")), fmt(r.get("p99_us")), fmt(r.get("p999_us")),
            fmt(r.get("rss_per_session_kb"), "{:.1f} KiB"),
            fmt(util, "{:.2f}") + sat, fmt(r.get("client_util"), "{:.2f}"),
            fmt(r.get("other_util"), "{:.2f}"),
        ])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths))
    print(line(head))
    print(line(["-" * w for w in widths]))
    for row in rows:
        print(line(row))
    print()
    print("CPU us/op: the server's utime+stime (/proc/PID/stat) over the run, per op;")
    print("  W2 op = one sys.echo answered, W1 op = one connection opened (upgrade,")
    print("  HELLO, SESSION_OPEN). x base: CPU per op relative to tether_baseline.")
    print("srv CPU/wall: the server's CPU time over wall time on its core (core 0);")
    print("  'sat' (>= 0.9) means the server was the bottleneck, not the generator.")
    print("gen CPU/wall: the generator's own CPU over the loop (core 1); near 1.0")
    print("  means the generator, not the server, set the pace of that run.")
    print("other CPU/wall: machine CPU used by neither (loopback softirq, other")
    print("  processes); much above ~0.3 means the figures are noisy.")
    print("RSS/session: (VmRSS with all sessions open - VmRSS before) / sessions.")
    print("The baseline answers SESSION_OPEN with a dummy SESSION (no session state).")

    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True,
                                text=True, timeout=5).stdout.strip()
    except Exception:
        commit = None
    result = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "mode": mode,
        "echo_duration_s": float(duration),
        "commit": commit,
        "host": {"cpus": os.cpu_count(), "machine": platform.machine(),
                 "kernel": platform.release()},
        "pinning": {"server": "taskset -c 0", "generator": "taskset -c 1"},
        "runs": runs,
    }
    with open(out_path, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print(f"\nresults: {out_path}")


if __name__ == "__main__":
    main()
