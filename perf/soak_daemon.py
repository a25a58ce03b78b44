#!/usr/bin/env python3
"""soak_daemon.py - does the daemon's memory stay flat over many data changes? (prints figures)

usage: perf/soak_daemon.py BUILD_DIR FEED.ics [--rounds 300]

Runs `calendarbot run` on a copy of FEED (PNG display, temp state dir). Each round rewrites the
copy with one meeting an hour from now whose title carries the round number, asks for a refresh
(SIGUSR2), waits for the daemon's "updated" log line (a full ingest, agenda, snapshot write and
frame), and cycles the layouts (SIGUSR1) twice. RSS is sampled after every round; the figure that
matters is the growth of its peak from the first tenth of the run to the last: months of
refreshes must not add up.
"""
import argparse
import datetime
import os
import signal
import subprocess
import sys
import tempfile
import time

from bench_daemon import status_field, write_config  # perf/ is the script's directory


def rss_mb(pid):
    return int(status_field(pid, "VmRSS")) / 1024


def feed_with(base, round_no):
    start = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    start += datetime.timedelta(hours=1)
    end = start + datetime.timedelta(minutes=30)
    fmt = "%Y%m%dT%H%M%SZ"
    event = (f"BEGIN:VEVENT\r\nUID:soak-{round_no}@calendarbot\r\nDTSTART:{start.strftime(fmt)}\r\n"
             f"DTEND:{end.strftime(fmt)}\r\nSUMMARY:Soak round {round_no}\r\nEND:VEVENT\r\n")
    cut = base.rfind(b"END:VCALENDAR")
    return base[:cut] + event.encode() + base[cut:]


def wait_for(log_path, offset, needle, timeout=30.0):
    """Waits until `needle` appears in the log after byte `offset`; returns the new offset."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        with open(log_path, "rb") as f:
            f.seek(offset)
            chunk = f.read()
        at = chunk.find(needle)
        if at >= 0:
            return offset + at + len(needle)
        time.sleep(0.005)
    sys.exit(f"soak: no {needle!r} in the log within {timeout:.0f} s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("feed")
    ap.add_argument("--rounds", type=int, default=300)
    args = ap.parse_args()
    binary = os.path.join(args.build, "daemon", "calendarbot")
    work = tempfile.mkdtemp(prefix="cb-soak-")
    copy = os.path.join(work, "feed.ics")
    png = os.path.join(work, "frame.png")
    config = os.path.join(work, "config.toml")
    log_path = os.path.join(work, "daemon.log")
    with open(args.feed, "rb") as f:
        base = f.read()
    with open(copy, "wb") as f:
        f.write(feed_with(base, 0))
    write_config(config, work, png, "soak", copy)
    print(f"feed: {args.feed} ({len(base) / 1e6:.1f} MB), {args.rounds} rounds")
    log = open(log_path, "wb")
    proc = subprocess.Popen([binary, "run", "--config", config], stderr=log,
                            stdout=subprocess.DEVNULL)
    offset = wait_for(log_path, 0, b"soak: updated")
    rss = []  # after every round
    t0 = time.monotonic()
    for r in range(1, args.rounds + 1):
        tmp = copy + ".new"
        with open(tmp, "wb") as f:
            f.write(feed_with(base, r))
        os.replace(tmp, copy)
        proc.send_signal(signal.SIGUSR2)
        offset = wait_for(log_path, offset, b"soak: updated")
        for _ in range(2):
            proc.send_signal(signal.SIGUSR1)
            time.sleep(0.02)
        rss.append(rss_mb(proc.pid))
    elapsed = time.monotonic() - t0
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=5)
    log.close()
    # RSS swings by a few MB between a trimmed heap and one holding the last ingest's
    # buffers: compare the highest value of the first tenth of the run with that of the last.
    tenth = max(1, len(rss) // 10)
    peaks = [max(rss[i:i + tenth]) for i in range(0, len(rss), tenth)]
    print("highest RSS (MB) per tenth of the run: " + ", ".join(f"{m:.1f}" for m in peaks))
    print(f"growth, last tenth vs first: {peaks[-1] - peaks[0]:+.2f} MB (lowest {min(rss):.1f} MB, "
          f"{elapsed / args.rounds * 1000:.0f} ms per round incl. ingest, snapshot and frames); "
          f"exit status {code}")


if __name__ == "__main__":
    main()
