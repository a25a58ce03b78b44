#!/usr/bin/env python3
"""bench_hostile.py - time and peak RSS for each pathological input family (prints figures,
never fails).

usage: perf/bench_hostile.py BUILD_DIR

Each family is generated here and handed to the real binary in its own process (peak RSS is
the child's ru_maxrss): `occurrences --stats` over a week (the CLI's window cap: 200,000; its
output streamed) and `run --once` (the daemon: snapshot, agenda of 8 days, one frame; window
cap 20,000; a store keeps the 160 events its screens can show, ics/screen_tally.hpp).
Families: never-matching rules (120 rules, every FREQ), N MINUTELY series (250 and 1,000),
a 200,000-event window, many sources (64 file sources, the config's maximum).
Budget (DESIGN.md): each under 2 s and 64 MB here; the daemon within its RSS budget.
"""
import os
import pathlib
import subprocess
import sys
import tempfile
import time

build = pathlib.Path(sys.argv[1]).resolve()
binary = build / "daemon" / "calendarbot"


def event(uid, body):
    return (f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20250101T000000Z\r\n{body}"
            f"SUMMARY:{uid}\r\nEND:VEVENT\r\n")


def calendar(events):
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n" + "".join(events) + \
        "END:VCALENDAR\r\n"


def never():
    for freq in ("SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY"):
        for i in range(20):
            yield event(f"{freq}{i}", "DTSTART:20250101T000000Z\r\n"
                        f"RRULE:FREQ={freq};BYMONTH=2;BYMONTHDAY=30\r\n")


def minutely(n):
    for i in range(n):
        yield event(f"m{i}", "DTSTART:20250101T000000Z\r\nRRULE:FREQ=MINUTELY\r\n")


def window(n, base=1740787200):
    # n events within the week from `base` (2025-03-01), 3 s apart.
    for i in range(n):
        s = base + 3 * i
        t = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(s))
        e = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(s + 1800))
        yield event(f"e{i}", f"DTSTART:{t}\r\nDTEND:{e}\r\n")


def measure(args):
    # Through /usr/bin/time: a child forked from this (large) Python process would count its
    # pages in ru_maxrss; time(1) is small.
    start = time.monotonic()
    proc = subprocess.run(["/usr/bin/time", "-f", "maxrss-kb\t%M", str(binary)] + args,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.monotonic() - start
    stats = dict(line.split("\t") for line in proc.stderr.splitlines()
                 if line.count("\t") == 1 and " " not in line)
    rss = int(stats.pop("maxrss-kb", "0")) / 1024
    return elapsed, rss, proc.returncode, stats


def daemon_config(tmp, feeds, name):
    state = tmp / f"state-{name}"
    text = (f'timezone = "UTC"\nstate_dir = "{state}"\n[display]\nkind = "png"\n'
            f'path = "{tmp / (name + ".png")}"\n')
    for i, feed in enumerate(feeds):
        text += f'[[source]]\nname = "s{i}"\nurl = "{feed}"\n'
    cfg = tmp / f"{name}.toml"
    cfg.write_text(text)
    return cfg


def main():
    with tempfile.TemporaryDirectory() as t:
        tmp = pathlib.Path(t)
        families = {
            "never-matching (120 rules)": never,
            "250 minutely series": lambda: minutely(250),
            "1000 minutely series": lambda: minutely(1000),
            "200000-event window": lambda: window(200000),
        }
        print(f"{'family':34} {'how':18} {'time s':>7} {'peak MB':>8}  counters")
        for name, events in families.items():
            feed = tmp / (name.split()[0] + name.split()[1] + ".ics")
            feed.write_text(calendar(events()))
            el, rss, code, stats = measure(["occurrences", str(feed), "--from",
                                            "2025-03-01T00:00:00Z", "--to",
                                            "2025-03-08T00:00:00Z", "--stats"])
            print(f"{name:34} {'occurrences':18} {el:7.2f} {rss:8.1f}  exit {code} "
                  + " ".join(f"{k}={v}" for k, v in stats.items()))
            if name.startswith("200000"):  # the daemon's window is around now
                today = int(time.time()) // 86400 * 86400
                feed.write_text(calendar(window(200000, today)))
            cfg = daemon_config(tmp, [feed], name.split()[0] + name.split()[1])
            el, rss, code, _ = measure(["run", "--once", "--config", str(cfg)])
            print(f"{name:34} {'run --once':18} {el:7.2f} {rss:8.1f}  exit {code}")
        feeds = []
        for i in range(64):
            f = tmp / f"src{i}.ics"
            f.write_text(calendar(window(200, int(time.time()) // 86400 * 86400)))
            feeds.append(f)
        cfg = daemon_config(tmp, feeds, "many")
        el, rss, code, _ = measure(["run", "--once", "--config", str(cfg)])
        print(f"{'64 sources x 200 events':34} {'run --once':18} {el:7.2f} {rss:8.1f}  exit {code}")


main()
