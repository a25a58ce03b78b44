#!/usr/bin/env python3
"""bench_daemon.py - the daemon's budgets on the PNG display (prints figures, never fails).

usage: perf/bench_daemon.py BUILD_DIR FEED.ics [--idle-seconds 60]

Starts `calendarbot run` on FEED (a copy in a temp state dir, PNG display) and prints:
  * process start -> first frame on the display (ms), cold (no snapshot) and warm (snapshot)
  * steady-state RSS (MB) after the first fetch, and peak RSS (VmHWM), split into anonymous
    memory (heap, stacks, relocated library data: this process's own) and file-backed pages
    (shared libraries' code and read-only data, fonts: page cache, shared, reclaimable), with
    the largest mappings of each kind
  * CPU used while idle over --idle-seconds (percent of one core) and wake-ups
  * thread count
  * SIGUSR1 (the button's short press) -> the next layout's PNG written (ms): the first switch
    to each layout of the cycle, then the same switches again
Budgets (DESIGN.md): first frame <= 150 ms, RSS <= 20 MB, idle CPU ~ 0, threads <= 2,
button -> frame <= 20 ms (the PNG display's encode and write included here).
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time


def status_field(pid, name):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return line.split()[1]
    return None


def write_config(config, work, png, name, url):
    """The config both daemon benchmarks run: pi-zero profile, PNG display, one source."""
    with open(config, "w") as f:
        f.write(f'timezone = "Europe/Berlin"\nprofile = "pi-zero"\nstate_dir = "{work}"\n'
                f'[display]\nkind = "png"\npath = "{png}"\n'
                f'[[source]]\nname = "{name}"\nurl = "{url}"\nrefresh = "1h"\n')


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def wakeups(pid):
    total = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                total += int(line.split()[1])
    return total


def rollup(pid):
    """(rss, anonymous, file-backed) in kB from /proc/PID/smaps_rollup."""
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                fields[parts[0].rstrip(":")] = int(parts[1])
    rss, anon = fields.get("Rss", 0), fields.get("Anonymous", 0)
    return rss, anon, rss - anon


def largest_mappings(pid, count=6):
    """The mappings holding the most resident memory, by file name ([heap], [anon] ...)."""
    totals = {}
    name = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = line.split()
            if "-" in head[0] and ":" not in head[0]:
                name = os.path.basename(head[5]) if len(head) > 5 else "[anon]"
            elif head[0] in ("Rss:", "Anonymous:"):
                totals.setdefault(name, [0, 0])[0 if head[0] == "Rss:" else 1] += int(head[1])
    ranked = sorted(totals.items(), key=lambda kv: -kv[1][0])[:count]
    return ", ".join(f"{n} {r / 1024:.1f}" + (f" ({a / 1024:.1f} anon)" if 0 < a < r else "")
                     for n, (r, a) in ranked)


def png_identity(png):
    try:
        st = os.stat(png)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def switch_ms(proc, png, timeout=5.0):
    """SIGUSR1, then the time until the display has renamed a new PNG into place."""
    before = png_identity(png)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGUSR1)
    while png_identity(png) == before:
        if time.monotonic() - t0 > timeout:
            return float("nan")
        time.sleep(0.0002)
    return (time.monotonic() - t0) * 1000.0


def start(binary, config, png, log=None):
    if os.path.exists(png):
        os.unlink(png)
    t0 = time.monotonic()
    proc = subprocess.Popen([binary, "run", "--config", config],
                            stderr=log or subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    while not os.path.exists(png):
        if proc.poll() is not None:
            sys.exit(f"calendarbot exited with {proc.returncode}")
        time.sleep(0.0005)
    return proc, (time.monotonic() - t0) * 1000.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("feed")
    ap.add_argument("--idle-seconds", type=float, default=60)
    args = ap.parse_args()
    binary = os.path.join(args.build, "daemon", "calendarbot")
    work = tempfile.mkdtemp(prefix="cb-bench-daemon-")
    png = os.path.join(work, "frame.png")
    config = os.path.join(work, "config.toml")
    write_config(config, work, png, "bench", os.path.abspath(args.feed))
    size_mb = os.path.getsize(args.feed) / 1e6
    print(f"feed: {args.feed} ({size_mb:.1f} MB)")

    proc, cold_ms = start(binary, config, png)
    time.sleep(2.0)  # the first fetch and ingest
    rss = int(status_field(proc.pid, "VmRSS")) / 1024
    hwm = int(status_field(proc.pid, "VmHWM")) / 1024
    threads = int(status_field(proc.pid, "Threads"))
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=5)

    # The warm run logs at debug level: each frame's drawing and showing times.
    with open(config, "a") as f:
        f.write('\n')
    with open(config) as f:
        text = f.read()
    with open(config, "w") as f:
        f.write(text.replace('profile = "pi-zero"\n', 'profile = "pi-zero"\nlog_level = "debug"\n', 1))
    log_path = os.path.join(work, "daemon.log")
    log = open(log_path, "w")
    proc, warm_ms = start(binary, config, png, log)  # the state dir now holds the snapshot
    time.sleep(2.0)
    hz = os.sysconf("SC_CLK_TCK")
    c0, w0, t0 = cpu_ticks(proc.pid), wakeups(proc.pid), time.monotonic()
    time.sleep(args.idle_seconds)
    c1, w1, t1 = cpu_ticks(proc.pid), wakeups(proc.pid), time.monotonic()
    steady = int(status_field(proc.pid, "VmRSS")) / 1024
    _, anon_kb, file_kb = rollup(proc.pid)
    biggest = largest_mappings(proc.pid)
    layouts = 2  # the default cycle: whats-next, 4x8
    first_switches = [switch_ms(proc, png) for _ in range(layouts)]
    time.sleep(0.2)
    again = [switch_ms(proc, png) for _ in range(2 * layouts)]
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=5)
    log.close()
    with open(log_path) as f:
        lines = f.read().splitlines()
    # "frame 4x8: drawn in 1.5 ms, shown in 14.9 ms": the last frames are the switches.
    frames = [l for l in lines if l.startswith("frame ") and " drawn in " in l]
    split = [(l.split()[1].rstrip(":"), float(l.split()[4]), float(l.split()[8]))
             for l in frames[-(3 * layouts):]]
    warmed = [l for l in lines if "drawn off-screen" in l]

    print(f"start -> first frame, cold (no snapshot): {cold_ms:7.1f} ms")
    print(f"start -> first frame, warm (snapshot):    {warm_ms:7.1f} ms   budget <= 150 ms")
    print(f"RSS after first fetch:                    {rss:7.1f} MB   (peak {hwm:.1f} MB)")
    print(f"steady-state RSS after {args.idle_seconds:.0f} s idle:          {steady:7.1f} MB   budget <= 20 MB")
    print(f"  of which anonymous (heap, stacks, relocations): {anon_kb / 1024:5.1f} MB, "
          f"file-backed (libraries, fonts): {file_kb / 1024:.1f} MB")
    print(f"  largest mappings (MB): {biggest}")
    print(f"idle CPU over {t1 - t0:.0f} s:                      {100.0 * (c1 - c0) / hz / (t1 - t0):7.3f} %    "
          f"({w1 - w0} context switches)  budget ~ 0")
    print(f"threads:                                  {threads:7d}      budget <= 2")
    print("SIGUSR1 -> next layout's PNG, first time:  " +
          " ".join(f"{v:6.1f}" for v in first_switches) + " ms   budget <= 20 ms")
    print("SIGUSR1 -> next layout's PNG, again:       " +
          " ".join(f"{v:6.1f}" for v in again) + " ms")
    print("  of which drawn / shown (PNG encode + write), ms: " +
          ", ".join(f"{name} {d:.1f} / {s:.1f}" for name, d, s in split))
    if warmed:
        print(f"  pre-warm after the first frame: {warmed[-1]}")


if __name__ == "__main__":
    main()
