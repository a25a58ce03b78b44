#!/usr/bin/env python3
"""bench_https.py - the daemon with an https source on a loopback TLS server (prints, never fails).

usage: perf/bench_https.py BUILD_DIR [--size-mb 10] [--http-size-mb 100] [--refreshes 3]
                           [--settle-seconds 8]

Generates a feed (perf/gen_feed, seeds 1 and 2), a self-signed certificate (openssl), serves the
feed with Python's ssl on 127.0.0.1, points `[fetch] ca_file` at the certificate, adds a second
source (--http-size-mb, seed 3) over plain http, and prints:
  * the daemon's steady RSS (smaps_rollup, quoted: total, anonymous, file-backed)
    --settle-seconds after the refreshes, its threads, and whether libcurl / libssl / libcrypto are mapped
  * the fetch child's peak (VmHWM, sampled every few ms while it runs; shared pages included)
  * SIGUSR2 (refresh) -> the changed feed swapped in (its log line) and the new frame on the PNG
    display (ms), with the feed changed each time
Budgets (DESIGN.md, issue 15): daemon <= 20 MB steady with https sources, <= 2 threads, no TLS
library in the daemon; the child's peak for a 10 MB feed is quoted, not budgeted.
"""
import argparse
import http.server
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_daemon as bd  # noqa: E402  (rollup, largest_mappings, png_identity, start)


def serve(directory, cert=None, key=None):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=directory, **kw)

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    if cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def maps_any(pid, names):
    with open(f"/proc/{pid}/maps") as f:
        text = f.read()
    return [n for n in names if n in text]


def wait_log(path, needle, count, timeout=600.0):
    """Waits until the daemon's log holds `needle` `count` times."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        with open(path) as f:
            if f.read().count(needle) >= count:
                return True
        time.sleep(0.05)
    return False


def refresh_ms(proc, png, peak, log_path, updates, timeout=60.0):
    """SIGUSR2, then (ms until the daemon logs the https source's `updates`-th update, ms until a
    new PNG is in place or None when the frame did not change); samples the child's VmHWM
    meanwhile. With the 100 MB source the screen may show its meetings only, so an update of
    the https feed need not change the frame."""
    before = bd.png_identity(png)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGUSR2)
    updated = frame = None
    while updated is None or (frame is None and time.monotonic() - updated_at < 1.0):
        for child in children(proc.pid):
            hwm = bd.status_field(child, "VmHWM") if os.path.exists(f"/proc/{child}") else None
            if hwm:
                peak[0] = max(peak[0], int(hwm))
        now = time.monotonic()
        if frame is None and bd.png_identity(png) != before:
            frame = (now - t0) * 1000.0
        if updated is None:
            with open(log_path) as f:
                if f.read().count("bench: updated") >= updates:
                    updated, updated_at = (now - t0) * 1000.0, now
        if now - t0 > timeout:
            break
        time.sleep(0.002)
    return updated, frame


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--size-mb", type=int, default=10)
    ap.add_argument("--http-size-mb", type=int, default=100, help="0: no http source")
    ap.add_argument("--refreshes", type=int, default=3)
    ap.add_argument("--settle-seconds", type=float, default=8)
    ap.add_argument("--keep", action="store_true", help="keep the work dir (daemon.log) and say where")
    ap.add_argument("--smaps-out", help="copy the daemon's steady /proc/PID/smaps to this file")
    args = ap.parse_args()
    binary = os.path.join(args.build, "daemon", "calendarbot")
    gen = os.path.join(args.build, "perf", "gen_feed")
    work = tempfile.mkdtemp(prefix="cb-bench-https-")
    try:
        feeds = []
        for seed in (1, 2):
            out = os.path.join(work, f"feed{seed}.ics")
            subprocess.run([gen, "--size-mb", str(args.size_mb), "--seed", str(seed), "--out", out],
                           check=True, stdout=subprocess.DEVNULL)
            feeds.append(out)
        www = os.path.join(work, "www")
        os.mkdir(www)
        shutil.copy(feeds[0], os.path.join(www, "cal.ics"))
        cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                        "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        server = serve(www, cert, key)
        plain = None
        if args.http_size_mb > 0:
            big = os.path.join(work, "plain")
            os.mkdir(big)
            subprocess.run([gen, "--size-mb", str(args.http_size_mb), "--seed", "3", "--out",
                            os.path.join(big, "big.ics")], check=True, stdout=subprocess.DEVNULL)
            plain = serve(big)
        url = f"https://localhost:{server.server_address[1]}/cal.ics?token=bench"
        config, png = os.path.join(work, "config.toml"), os.path.join(work, "frame.png")
        bd.write_config(config, work, png, "bench", url)
        with open(config, "a") as f:
            if plain:
                f.write(f'[[source]]\nname = "big"\nurl = "http://127.0.0.1:'
                        f'{plain.server_address[1]}/big.ics"\nrefresh = "1h"\n')
            f.write(f'[fetch]\nca_file = "{cert}"\n')
        log_path = os.path.join(work, "daemon.log")
        log = open(log_path, "w")
        proc, first = bd.start(binary, config, png, log)
        peak = [0]
        # The first frame may come before the data (no snapshot yet): wait for the next one.
        t0 = time.monotonic()
        before = bd.png_identity(png)
        while bd.png_identity(png) == before and time.monotonic() - t0 < 60:
            for child in children(proc.pid):
                hwm = bd.status_field(child, "VmHWM") if os.path.exists(f"/proc/{child}") else None
                if hwm:
                    peak[0] = max(peak[0], int(hwm))
            time.sleep(0.002)
        print(f"first frame {first:.1f} ms; frame with the https data after "
              f"{(time.monotonic() - t0) * 1000:.0f} ms more")
        if plain:
            ok = wait_log(log_path, "big: updated", 1)
            print(f"http source ({args.http_size_mb} MB) " + ("in" if ok else "NOT in (see log)"))
        times = []
        for i in range(args.refreshes):
            served = os.path.join(www, "cal.ics")
            shutil.copy(feeds[(i + 1) % 2], served)
            stamp = time.time() + 10 * (i + 1)  # Last-Modified has whole seconds: always newer
            os.utime(served, (stamp, stamp))
            times.append(refresh_ms(proc, png, peak, log_path, i + 2))
        time.sleep(args.settle_seconds)
        with open(f"/proc/{proc.pid}/smaps_rollup") as f:
            quoted = [line.rstrip() for line in f
                      if line.split()[0] in ("Rss:", "Pss:", "Anonymous:", "Private_Dirty:")]
        print("daemon smaps_rollup: " + "; ".join(" ".join(q.split()) for q in quoted))
        if args.smaps_out:
            shutil.copy(f"/proc/{proc.pid}/smaps", args.smaps_out)
        rss, anon, filed = bd.rollup(proc.pid)
        print(f"daemon steady RSS {rss / 1024:.1f} MB ({anon / 1024:.1f} anonymous, "
              f"{filed / 1024:.1f} file-backed) [budget 20 MB]")
        print(f"  largest: {bd.largest_mappings(proc.pid)}")
        print(f"daemon threads {bd.status_field(proc.pid, 'Threads')} [budget 2]; "
              f"TLS/libcurl mapped: {maps_any(proc.pid, ['libcurl', 'libssl', 'libcrypto', 'libgnutls']) or 'none'}")
        print(f"fetch child peak VmHWM {peak[0] / 1024:.1f} MB ({args.size_mb} MB feed, "
              f"shared pages of the daemon included)")
        def ms(v):
            return "-" if v is None else f"{v:.0f} ms"

        print("SIGUSR2 -> changed https feed swapped in / new frame (- : the frame did not "
              "change): " + ", ".join(f"{ms(u)} / {ms(f)}" for u, f in times))
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        server.shutdown()
        if plain:
            plain.shutdown()
    finally:
        if args.keep:
            print(f"work dir kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
