#!/usr/bin/env python3
"""Turns the runs bench/run.sh recorded (one JSON object per line: server,
group, workload, and the generator's result) into a table with ratios on
stdout, OUT.json with everything, and OUT.png, a chart drawn by gnuplot.
"tether-store" is tether with its store on: its rows stand beside
tether's (store off), and "The store" compares the two. Workloads named
"... over TLS" ran over wss:// (tether and baseline only): "TLS" puts them
beside the same workload in plain, where the run has it.

    report.py RUNS.jsonl OUT MODE DURATION MAX_CONNS
"""
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

PEERS = ["baseline", "node-ws", "socketio"]
STORE = "tether-store"
SERVERS = ["tether", STORE] + PEERS

# The figure each workload is judged by, and whether lower is better.
MAIN = {
    "W1": ("rss_per_conn_kb", "KiB RSS per connection", True),
    "W2": ("cpu_us_per_op", "server CPU µs per echo", True),
    "W3": ("cpu_us_per_delivery", "server CPU µs per delivery", True),
    "W4": ("all_replayed_s", "s until all resumed and replayed", True),
    "W5": ("b_p99_us", "others' echo p99 µs under slow consumers", True),
}


TLS_SUFFIX = " over TLS"
# The bound on W2 over TLS: tether's CPU per echo over the TLS
# baseline's (plain echo: 1.5x).
TLS_ECHO_TARGET = 1.3


def is_tls(workload):
    return workload.endswith(TLS_SUFFIX)


def machine():
    model = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass

    def git(*args):
        try:
            return subprocess.run(["git", *args], capture_output=True, text=True,
                                  timeout=5).stdout.strip()
        except Exception:
            return None

    return {
        "cpus": os.cpu_count(), "cpu_model": model,
        "machine": platform.machine(), "kernel": platform.release(),
        "commit": git("rev-parse", "--short", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
    }


def figures(run):
    """The flat figures of one run; W3's come from its best passing step
    (or, if none passed, its first step)."""
    r = dict(run["result"])
    if run["group"] == "W3" and "steps" in r:
        best = r.get("best") or (r["steps"][0] if r["steps"] else {})
        for k, v in best.items():
            r.setdefault(k, v)
    # The store's size once the node stopped, per session it kept.
    n = r.get("sessions", r.get("connected"))
    if r.get("store_file_bytes") is not None and n:
        r["store_bytes_per_session"] = r["store_file_bytes"] / n
    return r


def fmt(x, spec="{:.1f}"):
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "no"
    try:
        return spec.format(x)
    except (ValueError, TypeError):
        return str(x)


def table(head, rows):
    widths = [max(len(str(c)) for c in col) for col in zip(head, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths))
    out = [line(head), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out)


COLUMNS = {
    "W2": [("ops/s", "ops_per_s", "{:.0f}"), ("CPU µs/op", "cpu_us_per_op", "{:.2f}"),
           ("p50 µs", "p50_us", "{:.0f}"), ("p99 µs", "p99_us", "{:.0f}"),
           ("p99.9 µs", "p999_us", "{:.0f}")],
    "W1": [("conns", "connected", "{}"), ("conns/s", "conns_per_s", "{:.0f}"),
           ("CPU µs/conn", "cpu_us_per_conn", "{:.0f}"),
           ("KiB/conn", "rss_per_conn_kb", "{:.1f}"), ("RSS MiB", "rss_kb", "{:.0f}"),
           ("store B/conn", "store_bytes_per_session", "{:.0f}")],
    "W3": [("members ok", "max_members_within_limit", "{}"),
           ("at members", "members", "{}"),
           ("deliv/s", "deliveries_per_s", "{:.0f}"),
           ("deliv/CPU-s", "deliveries_per_server_cpu_s", "{:.0f}"),
           ("CPU µs/deliv", "cpu_us_per_delivery", "{:.2f}"),
           ("p50 ms", "rtt_p50_us", "{:.1f}"), ("p95 ms", "rtt_p95_us", "{:.1f}")],
    "W4": [("sessions", "sessions", "{}"), ("resumed s", "all_resumed_s", "{:.2f}"),
           ("replayed s", "all_replayed_s", "{:.2f}"),
           ("missing", "sessions_missing_frames", "{}"),
           ("extra", "sessions_with_extra_frames", "{}"),
           ("gaps", "seq_gaps", "{}"), ("dups", "seq_duplicates", "{}"),
           ("CPU µs/resume", "cpu_us_per_resume", "{:.0f}")],
    "W5": [("p99 alone µs", "a_p99_us", "{:.0f}"), ("p99 slow µs", "b_p99_us", "{:.0f}"),
           ("RSS start MiB", "rss_start_kb", "{:.0f}"),
           ("RSS peak MiB", "rss_peak_b_kb", "{:.0f}"),
           ("RSS end MiB", "rss_end_kb", "{:.0f}"),
           ("bcasts answered", "broadcasts_answered", "{}"),
           ("conns left", "node_connections_after", "{}")],
}
# The restart case (tether-store, group W4): its own table.
RESTART = [("sessions", "sessions", "{}"), ("rooms", "rooms", "{}"),
           ("kept/sess", "kept_frames_per_session", "{}"),
           ("prepare s", "prepare_s", "{:.2f}"), ("stop s", "stop_s", "{:.2f}"),
           ("store MiB", "store_file_bytes", "{:.1f}"),
           ("B/sess", "store_bytes_per_session", "{:.0f}"),
           ("listening s", "listening_s", "{:.3f}"),
           ("1st resume s", "first_resume_s", "{:.3f}"),
           ("storm s", "all_replayed_s", "{:.2f}"),
           ("lost", "sessions_missing_frames", "{}"),
           ("extra", "sessions_with_extra_frames", "{}"),
           ("gaps", "seq_gaps", "{}"), ("dups", "seq_duplicates", "{}"),
           ("rooms ok", "rooms_all_delivered", "{}"),
           ("info sess/rooms", "info_counts", "{}")]
SCALE = {"rss_kb": 1 / 1024, "store_file_bytes": 1 / 1048576, "rss_start_kb": 1 / 1024, "rss_peak_b_kb": 1 / 1024,
         "rss_end_kb": 1 / 1024,
         "rtt_p50_us": 1e-3, "rtt_p95_us": 1e-3}


# The cluster rows (group C): one table per mode.
CLUSTER = {
    "fanout": ("one room's fan-out, members spread evenly over the nodes "
               "(broadcaster and room on a)",
               [("nodes", "nodes", "{}"), ("members", "members", "{}"),
                ("deliv/s", "deliveries_per_s", "{:.0f}"),
                ("CPU µs/deliv", "cpu_us_per_delivery", "{:.2f}"),
                ("p50 ms", "rtt_p50_us", "{:.1f}"), ("p95 ms", "rtt_p95_us", "{:.1f}"),
                ("RSS MiB", "server_rss_kb", "{:.0f}")]),
    "migrate": ("idle sessions moved a -> b one at a time through a's admin API "
                "(latency: the POST's, its connection included)",
                [("sessions", "sessions", "{}"), ("moved", "migrated", "{}"),
                 ("p50 ms", "migrate_p50_us", "{:.2f}"),
                 ("p99 ms", "migrate_p99_us", "{:.2f}"),
                 ("max ms", "migrate_max_us", "{:.2f}"),
                 ("moves/s", "migrations_per_s", "{:.0f}"),
                 ("CPU µs/move", "cpu_us_per_migration", "{:.0f}"),
                 ("CLOSE 5 to b", "clients_redirected_to_b", "{}")]),
    "cluster-resume": ("one resume at a time, from the first connect to SESSION: "
                       "at a (the owner) against at b (CLOSE 5, then at a)",
                       [("sessions", "sessions", "{}"),
                        ("owner p50 ms", "owner_p50_us", "{:.2f}"),
                        ("owner p99 ms", "owner_p99_us", "{:.2f}"),
                        ("via b p50 ms", "via_p50_us", "{:.2f}"),
                        ("via b p99 ms", "via_p99_us", "{:.2f}"),
                        ("via/owner p50", "via_over_owner_p50", "{:.2f}"),
                        ("redirects", "redirects", "{}"),
                        ("failed", "resume_failed", "{}")]),
    "drain": ("a drained (POST /api/v1/drain) into b and c; clients follow "
              "CLOSE 5 and resume; times from the request",
              [("sessions", "sessions", "{}"), ("kept/sess", "kept_frames_per_session", "{}"),
               ("HTTP", "drain_http_status", "{}"), ("exit s", "exit_s", "{:.2f}"),
               ("exit code", "exit_status", "{:.0f}"),
               ("closed s", "all_closed_s", "{:.2f}"),
               ("resumed s", "all_resumed_s", "{:.2f}"),
               ("replayed s", "all_replayed_s", "{:.2f}"),
               ("to b/c", "spread", "{}"),
               ("lost", "sessions_missing_frames", "{}"),
               ("extra", "sessions_with_extra_frames", "{}"),
               ("gaps", "seq_gaps", "{}"), ("dups", "seq_duplicates", "{}")]),
}
CLUSTER_PINNING = ("every node of a cluster on core 0 (taskset -c 0), the three "
                   "sharing it; the generator on core 1")


def cluster_figures(run):
    """A cluster row's figures; the fan-out's from its one step."""
    r = dict(run["result"])
    if r.get("mode") == "fanout" and r.get("steps"):
        for k, v in r["steps"][0].items():
            r.setdefault(k, v)
    if r.get("mode") == "drain":
        r["spread"] = f"{r.get('redirected_to_b')}/{r.get('redirected_to_c')}"
    return r


def cluster_targets(runs):
    res = []
    mine = [(run["workload"], cluster_figures(run)) for run in runs if run["group"] == "C"]
    fan = {f.get("nodes"): f for _, f in mine if f.get("mode") == "fanout"}
    if 1 in fan or 3 in fan:
        a = (fan.get(1) or {}).get("cpu_us_per_delivery")
        b = (fan.get(3) or {}).get("cpu_us_per_delivery")
        x = b / a if a and b else None
        res.append(("Cluster fan-out: CPU/delivery over 3 nodes ≤ 1.3x one node's",
                    f"{fmt(x, '{:.2f}')}x ({fmt(a, '{:.2f}')} → {fmt(b, '{:.2f}')} µs, "
                    f"{fan.get(3, {}).get('members')} members)",
                    None if x is None else x <= 1.3))
    for w, f in mine:
        if f.get("mode") == "migrate":
            p50 = f.get("migrate_p50_us")
            ok = (p50 is not None and f.get("migrated") == f.get("sessions")
                  and p50 < 2000)
            res.append(("Cluster: migration of an idle session, p50 < 2 ms",
                        f"p50 {fmt(p50 and p50 / 1e3, '{:.2f}')} ms, {f.get('migrated')} "
                        f"of {f.get('sessions')} moved", ok))
        if f.get("mode") == "drain":
            n = f.get("sessions") or 0
            clean = (f.get("handed_over") and f.get("exit_status") == 0
                     and f.get("complete") == n and not f.get("sessions_missing_frames")
                     and not f.get("sessions_with_extra_frames") and not f.get("seq_gaps")
                     and not f.get("seq_duplicates"))
            ends = [f.get("exit_s"), f.get("all_replayed_s")]
            quick = all(e is not None and 0 <= e <= 5 for e in ends)
            measured = (f"{n} sessions: a exited after {fmt(f.get('exit_s'), '{:.2f}')} s "
                        f"(code {fmt(f.get('exit_status'), '{:.0f}')}), last resumed and "
                        f"replayed after {fmt(f.get('all_replayed_s'), '{:.2f}')} s, "
                        f"{f.get('sessions_missing_frames')} lost, "
                        f"{f.get('sessions_with_extra_frames')} repeated")
            if f.get("note"):
                measured = f"{f['note']}; {n} sessions, a exited after " \
                           f"{fmt(f.get('exit_s'), '{:.2f}')} s"
            # Fewer than 10,000 sessions (a quick run) tell only when it failed.
            ok = False if not clean else None if n < 10000 else quick
            res.append(("Cluster: drain of 10,000 sessions into 2 peers ≤ 5 s, none "
                        "lost or repeated", measured, ok))
    return res


SCALE.update({k: 1e-3 for k in ("migrate_p50_us", "migrate_p99_us", "migrate_max_us",
                                 "owner_p50_us", "owner_p99_us", "via_p50_us",
                                 "via_p99_us")})
SCALE["server_rss_kb"] = 1 / 1024


def cells(r, cols):
    """A row's cells: each column's figure, scaled and formatted."""
    out = []
    for _, key, spec in cols:
        v = r.get(key)
        if v is not None and key in SCALE:
            v = v * SCALE[key]
        out.append(fmt(v, spec))
    return out


def utilization(r):
    u = r.get("server_util", r.get("b_server_util"))
    g = r.get("gen_util", r.get("b_gen_util"))
    o = r.get("other_util", r.get("b_other_util"))
    st = r.get("steal_util", r.get("b_steal_util"))
    sat = " sat" if u is not None and u >= 0.9 else ""
    stolen = f" steal {st:.2f}" if st is not None and st >= 0.05 else ""
    return f"{fmt(u, '{:.2f}')}{sat} / {fmt(g, '{:.2f}')} / {fmt(o, '{:.2f}')}{stolen}"


def is_restart(run):
    return run["group"] == "W4" and run["workload"].startswith("restart")


def restart_figures(run):
    r = figures(run)
    prep = r.get("prepare") or {}
    r["prepare_s"] = prep.get("prepare_s")
    if "info_sessions" in r:
        r["info_counts"] = f"{r['info_sessions']}/{r.get('info_rooms')}"
    return r


def ratios(runs):
    """Tether's main figure over each peer's, per workload (not the rows
    only tether and tether-store ran: "The store" compares those)."""
    by = {}
    for run in runs:
        by.setdefault((run["group"], run["workload"]), {})[run["server"]] = figures(run)
    out = []
    for (group, workload), servers in by.items():
        if group not in MAIN or STORE in servers and not any(p in servers for p in PEERS):
            continue
        key, label, _ = MAIN[group]
        t = servers.get("tether", {}).get(key)
        entry = {"group": group, "workload": workload, "figure": label, "tether": t}
        for p in PEERS:
            v = servers.get(p, {}).get(key)
            entry[p] = v
            entry["tether_over_" + p] = t / v if t and v else None
        out.append(entry)
    return out


def store_pairs(runs):
    """The store off and on, per workload: (group, workload, off, on)."""
    by = {}
    for run in runs:
        if run["server"] in ("tether", STORE) and not is_restart(run):
            by.setdefault((run["group"], run["workload"]), {})[run["server"]] = figures(run)
    return [(g, w, s.get("tether"), s.get(STORE)) for (g, w), s in by.items()
            if STORE in s]


def store_targets(runs):
    res = []
    for g, w, off, on in store_pairs(runs):
        key = MAIN[g][0]
        a, b = (off or {}).get(key), (on or {}).get(key)
        if g == "W2":
            x = b / a if a and b else None
            res.append((f"W2 {w}: CPU/op with the store ≤ 1.15x without",
                        f"{fmt(x, '{:.2f}')}x ({fmt(a, '{:.2f}')} → {fmt(b, '{:.2f}')} µs)",
                        None if x is None else x <= 1.15))
        if g == "W1":
            d = b - a if a is not None and b is not None else None
            res.append((f"W1 {w}: the store adds ≤ 0.5 KiB RSS per idle session",
                        f"{fmt(d, '{:+.2f}')} KiB ({fmt(a, '{:.1f}')} → {fmt(b, '{:.1f}')})",
                        None if d is None else d <= 0.5))
    for run in runs:
        if not is_restart(run):
            continue
        f = restart_figures(run)
        n = f.get("sessions") or 0
        t = f.get("first_resume_s")
        # Fewer than 10,000 sessions (a quick run) cannot tell.
        res.append(("Restart: 10,000 sessions serve a resume ≤ 2 s after exec",
                    f"{n} sessions: listening {fmt(f.get('listening_s'), '{:.3f}')} s, "
                    f"first resume {fmt(t, '{:.3f}')} s",
                    None if n < 10000 or t is None else 0 <= t <= 2))
        clean = (n > 0 and f.get("complete") == n and not f.get("sessions_missing_frames")
                 and not f.get("sessions_with_extra_frames") and not f.get("seq_gaps")
                 and not f.get("seq_duplicates")
                 and f.get("rooms_all_delivered") == f.get("rooms")
                 and f.get("info_sessions") == n and f.get("info_rooms") == f.get("rooms"))
        res.append(("Restart: every session resumes, every kept frame replayed, none twice",
                    f"{f.get('complete')} of {n} in {fmt(f.get('all_replayed_s'), '{:.2f}')} s, "
                    f"{f.get('sessions_missing_frames')} lost, "
                    f"{f.get('sessions_with_extra_frames')} extra, rooms "
                    f"{f.get('rooms_all_delivered')} of {f.get('rooms')}", clean))
    return res


def targets(runs, ratio_list):
    """The issue's targets, met or missed and by how much."""
    res = []
    rat = {(r["group"], r["workload"]): r for r in ratio_list}
    for (g, w), r in rat.items():
        if g == "W2" and r.get("tether_over_baseline"):
            x = r["tether_over_baseline"]
            bound = TLS_ECHO_TARGET if is_tls(w) else 1.5
            res.append((f"W2 {w}: CPU/echo ≤ {bound}x baseline",
                        f"{x:.2f}x", x <= bound))
        if g == "W2" and r.get("tether_over_socketio"):
            x = 1 / r["tether_over_socketio"]
            res.append((f"W2 {w}: ≥ 5x cheaper than Socket.IO", f"{x:.1f}x cheaper", x >= 5))
    for run in runs:
        f = figures(run)
        if run["server"] != "tether":
            continue
        if run["group"] == "W1" and is_tls(run["workload"]):
            continue  # reported beside the baseline's below, without a target
        if run["group"] == "W1" and f.get("rss_per_conn_kb") is not None:
            v = f["rss_per_conn_kb"]
            res.append((f"W1 {run['workload']}: ≤ 4 KiB per idle session",
                        f"{v:.1f} KiB", v <= 4))
        if run["group"] == "W3" and run["workload"] == "one room":
            v = f.get("max_members_within_limit", 0)
            res.append(("W3: ≥ 30,000 members under 100 ms p95", f"{v} members", v >= 30000))
        if run["group"] == "W4":
            # Fewer than 10,000 sessions (a quick run) cannot tell.
            ok = (None if f.get("sessions", 0) < 10000 else
                  0 <= (f.get("all_replayed_s") or -1) <= 2
                  and not f.get("sessions_missing_frames") and not f.get("sessions_with_extra_frames"))
            res.append(("W4: 10,000 sessions resumed in ≤ 2 s, none lost or doubled",
                        f"{f.get('sessions')} in {fmt(f.get('all_replayed_s'), '{:.2f}')} s, "
                        f"{f.get('sessions_missing_frames')} missing, "
                        f"{f.get('sessions_with_extra_frames')} extra", ok))
    for t in tls_rows(runs):
        if t["group"] == "W1":
            res.append((f"W1 {t['workload']}: RSS per idle TLS session (reported)",
                        f"tether {fmt(t['tether'])} KiB, baseline {fmt(t['baseline'])} KiB",
                        None))
    return res + store_targets(runs) + cluster_targets(runs)


def tls_rows(runs):
    """Each workload run over TLS: tether's and the baseline's main figure,
    their ratio, and each one's over the same workload in plain (None where
    this run has no plain row of that name)."""
    by = {}
    for run in runs:
        by.setdefault((run["group"], run["workload"]), {})[run["server"]] = figures(run)
    out = []
    for (group, workload), servers in by.items():
        if group not in MAIN or not is_tls(workload):
            continue
        key, label, _ = MAIN[group]
        plain = by.get((group, workload[:-len(TLS_SUFFIX)]), {})
        row = {"group": group, "workload": workload, "figure": label}
        for s in ("tether", "baseline"):
            v = servers.get(s, {}).get(key)
            p = plain.get(s, {}).get(key)
            row[s] = v
            row[s + "_plain"] = p
            row[s + "_tls_over_plain"] = v / p if v and p else None
        t, b = row["tether"], row["baseline"]
        row["tether_over_baseline"] = t / b if t and b else None
        out.append(row)
    return out


def chart(runs, out_png):
    gp = shutil.which("gnuplot")
    if not gp:
        return "gnuplot not found: no chart"
    servers = [s for s in SERVERS if any(r["server"] == s for r in runs)]
    # Each server keeps its colour in every panel, whoever else ran.
    color = lambda s: SERVERS.index(s) + 1 if s in SERVERS else len(SERVERS) + 1
    tmp = tempfile.mkdtemp()

    def bars(group, key, scale=1.0):
        rows = {}
        for run in runs:
            if run["group"] == group and not is_restart(run):
                v = figures(run).get(key)
                rows.setdefault(run["workload"], {})[run["server"]] = v
        path = os.path.join(tmp, f"{group}-{key}.dat")
        with open(path, "w") as f:
            f.write("workload " + " ".join(servers) + "\n")
            for w, vals in rows.items():
                cells = [("%g" % (vals[s] * scale)) if vals.get(s) is not None else "NaN"
                         for s in servers]
                f.write('"%s" %s\n' % (w, " ".join(cells)))
        return path, len(rows)

    w2, _ = bars("W2", "cpu_us_per_op")
    w2p, _ = bars("W2", "p99_us", 1e-3)
    w1, _ = bars("W1", "rss_per_conn_kb")
    steps = {}
    for run in runs:
        if run["group"] == "W3" and run["workload"] == "one room":
            steps[run["server"]] = [(s["members"], s["rtt_p95_us"] / 1e3)
                                    for s in run["result"].get("steps", [])]
    w3 = {}
    for s, pts in steps.items():
        w3[s] = os.path.join(tmp, f"w3-{s}.dat")
        with open(w3[s], "w") as f:
            for m, p in pts:
                f.write(f"{m} {p}\n")
    hist = lambda path, title, ylabel: "\n".join([
        f"set title '{title}'", f"set ylabel '{ylabel}'", "set style data histogram",
        "set style histogram clustered gap 1", "set style fill solid 0.8 border -1",
        "set xtics rotate by -25 font ',8'", "unset logscale", "set yrange [0:*]",
        "plot " + ", ".join(f"'{path}' using {i + 2}:xtic(1) title columnheader"
                            f" lc {color(s)}" for i, s in enumerate(servers))])
    lines = [
        "set terminal pngcairo size 1400,1000 font ',10'", f"set output '{out_png}'",
        "set multiplot layout 2,2", "set key top left", "set grid ytics",
        hist(w2, "W2 echo (and push: per SIGNAL): server CPU per op (lower is better)", "µs"),
        hist(w2p, "W2 echo (and push: a whole push): p99 latency", "ms"),
        hist(w1, "W1 idle: server RSS per connection", "KiB"),
    ]
    if w3:
        lines += ["set title 'W3 one room: p95 broadcast round trip by members'",
                  "set style data linespoints", "set logscale x", "set logscale y",
                  "set xtics auto rotate by 0 font ',9'", "set xlabel 'members'",
                  "set ylabel 'ms'", "set arrow from graph 0, first 100 to graph 1, first 100 nohead dt 2",
                  "plot " + ", ".join(f"'{p}' using 1:2 title '{s}' with linespoints lw 2"
                                      f" lc {color(s)}" for s, p in w3.items())]
    lines.append("unset multiplot")
    script = os.path.join(tmp, "chart.gp")
    with open(script, "w") as f:
        f.write("\n".join(lines) + "\n")
    done = subprocess.run([gp, script], capture_output=True, text=True)
    shutil.rmtree(tmp, ignore_errors=True)
    return None if done.returncode == 0 else "gnuplot failed: " + done.stderr.strip()[:300]


def main():
    runs_path, out, mode, duration, max_conns = sys.argv[1:6]
    with open(runs_path) as f:
        runs = [json.loads(line) for line in f if line.strip()]
    host = machine()
    print(f"\nTether benchmarks ({mode}, {duration} s per phase) on {host['cpus']} cores, "
          f"{host['cpu_model']}, Linux {host['kernel']}, commit {host['commit']}"
          f"{' (dirty)' if host['dirty'] else ''}; connections capped at {max_conns} "
          f"(RLIMIT_NOFILE)")
    for group in ["W2", "W1", "W3", "W4", "W5"]:
        mine = [r for r in runs if r["group"] == group]
        if not mine:
            continue
        cols = COLUMNS[group]
        head = ["server", "workload"] + [c[0] for c in cols] + ["srv/gen/other CPU"]
        rows = []
        for run in mine:
            r = figures(run)
            rows.append([run["server"], run["workload"]] + cells(r, cols) +
                        [utilization(r) if "error" not in r else "error: " + r["error"][:60]])
        print(f"\n{group}\n" + table(head, rows))

    restarts = [r for r in runs if is_restart(r)]
    if restarts:
        head = ["workload"] + [c[0] for c in RESTART]
        rows, errors = [], []
        for run in restarts:
            r = restart_figures(run)
            rows.append([run["workload"]] + cells(r, RESTART))
            for phase, x in (("prepare", r.get("prepare") or {}), ("restart", r)):
                if "error" in x:
                    errors.append(f"  {run['workload']}, {phase}: error: {x['error'][:200]}")
        print("\nW4 restart (tether-store): the node stopped with SIGTERM, then started"
              "\n  again by the generator on the same store; times from exec\n"
              + table(head, rows) + "".join("\n" + e for e in errors))

    clustered = [r for r in runs if r["group"] == "C"]
    if clustered:
        print(f"\nCluster (group C): {CLUSTER_PINNING}; CPU and RSS summed over "
              "every node")
        for mode, (title, cols) in CLUSTER.items():
            mine = [r for r in clustered if r["result"].get("mode") == mode]
            if not mine:
                continue
            head = ["workload"] + [c[0] for c in cols] + ["srv/gen/other CPU"]
            rows, notes = [], []
            for run in mine:
                r = cluster_figures(run)
                rows.append([run["workload"]] + cells(r, cols) + [utilization(r)])
                for k in ("note", "first_failure", "first_refusal"):
                    if r.get(k):
                        notes.append(f"  {run['workload']}: {k}: {str(r[k])[:200]}")
            print(f"\n{title}\n" + table(head, rows) + "".join("\n" + n for n in notes))
        for run in clustered:
            if "error" in run["result"]:
                print(f"  {run['workload']}: error: {run['result']['error'][:200]}")

    pairs = store_pairs(runs)
    if pairs:
        rows = []
        for g, w, off, on in pairs:
            key, label, _ = MAIN[g]
            if (on or {}).get("mode") == "push":
                label = "server CPU µs per SIGNAL pushed"
            a, b = (off or {}).get(key), (on or {}).get(key)
            d = (f"{b - a:+.2f}" if g == "W1" and a is not None and b is not None
                 else fmt(b / a if a and b else None, "{:.2f}x"))
            extra = ""
            if g == "W1" and on and on.get("store_bytes_per_session") is not None:
                extra = f"store {on['store_bytes_per_session']:.0f} B/session"
            rows.append([g, w, label, fmt(a, "{:.2f}"), fmt(b, "{:.2f}"), d, extra])
        print("\nThe store: tether without (--store=none) and with it, in this run\n"
              + table(["group", "workload", "figure", "off", "on",
                       "on/off (W1: on-off)", ""], rows))

    bound = []
    for run in runs:
        r = figures(run)
        u = r.get("server_util", r.get("b_server_util"))
        g = r.get("gen_util", r.get("b_gen_util"))
        if u is not None and g is not None and g >= 0.9 and u < 0.9:
            bound.append(f"{run['server']} {run['group']} {run['workload']}")
    print("\nRuns where the generator, not the server, set the pace (generator"
          "\n  CPU/wall >= 0.9, server < 0.9): their throughput is a lower bound,"
          "\n  their CPU per op still exact: " + ("; ".join(bound) if bound else "none"))

    again = [f"{run['server']} {run['group']} {run['workload']}"
             for run in runs if run.get("repeated")]
    print("\nRuns measured twice because the hypervisor stole over 0.2 of a"
          "\n  phase's wall time (the less disturbed one is shown): "
          + ("; ".join(again) if again else "none"))

    rl = ratios(runs)
    rows = [[r["group"], r["workload"], r["figure"]] +
            [fmt(r.get("tether_over_" + p), "{:.2f}") for p in PEERS] for r in rl]
    if rows:
        print("\nTether / each server, on the workload's main figure (below 1: Tether is better)\n"
              + table(["group", "workload", "figure"] + ["/ " + p for p in PEERS], rows))

    tl = tls_rows(runs)
    if tl:
        rows = [[r["group"], r["workload"], r["figure"], fmt(r["tether"], "{:.2f}"),
                 fmt(r["baseline"], "{:.2f}"), fmt(r["tether_over_baseline"], "{:.2f}x"),
                 fmt(r["tether_tls_over_plain"], "{:.2f}x"),
                 fmt(r["baseline_tls_over_plain"], "{:.2f}x")] for r in tl]
        print(f"\nTLS: tether and the baseline over wss:// (target for echo CPU: "
              f"≤ {TLS_ECHO_TARGET}x the baseline's)\n"
              + table(["group", "workload", "figure", "tether", "baseline",
                       "tether/base", "tether TLS/plain", "base TLS/plain"], rows))

    tg = targets(runs, rl)
    print("\nTargets\n" + table(["target", "measured", "met"],
                                [[t, m, "-" if ok is None else "yes" if ok else "NO"]
                                 for t, m, ok in tg]))
    print("\nsrv/gen/other CPU: CPU time over wall time of the server (core 0; 'sat'"
          "\n  at >= 0.9: the server was the bottleneck), of the generator (core 1; near"
          "\n  1.0 the generator set the pace), and of everything else (softirq, noise)."
          "\n  'steal' (shown from 0.05): CPU time the hypervisor took from this virtual"
          "\n  machine during the run; such a run is slower than it should be.")

    result = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "mode": mode,
              "phase_s": float(duration), "max_conns": int(max_conns), "host": host,
              "pinning": {"server": "taskset -c 0", "generator": "taskset -c 1",
                          "cluster": CLUSTER_PINNING},
              "runs": runs, "ratios": rl, "tls": tl,
              "store": [{"group": g, "workload": w, "figure": MAIN[g][1],
                         "off": (a or {}).get(MAIN[g][0]), "on": (b or {}).get(MAIN[g][0])}
                        for g, w, a, b in store_pairs(runs)],
              "targets": [{"target": t, "measured": m, "met": ok} for t, m, ok in tg]}
    with open(out + ".json", "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    problem = (chart(runs, out + ".png") if any(r["group"] in MAIN for r in runs)
               else "no chart: only the cluster rows ran")
    print(f"\nresults: {out}.json" + (f"\nchart: {out}.png" if not problem else f"\n{problem}"))


if __name__ == "__main__":
    main()
