#!/usr/bin/env python3
"""Writes the small seed corpora of the fuzz targets into DIR/<target>/ (generated here, no file
copied from a shared corpus): a few feeds of every shape the ingest knows, configs, TZif files
of this system, snapshot images written by the real daemon (`run --once`), and RRULE values:
a few written here and the distinct RRULE values found in ../shared/ics-corpus."""
import os
import re
import pathlib
import shutil
import struct
import subprocess
import sys
import tempfile

out = pathlib.Path(sys.argv[1])
binary = sys.argv[2] if len(sys.argv) > 2 else None


def write(target, name, data):
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def cal(*events, zones=""):
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//seed//EN\r\n" + zones +
            "".join(events) + "END:VCALENDAR\r\n")


def ev(uid, body):
    return f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20250101T000000Z\r\n{body}END:VEVENT\r\n"


berlin = ("BEGIN:VTIMEZONE\r\nTZID:Custom/Berlin\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\n"
          "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
          "END:DAYLIGHT\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"
          "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
          "END:STANDARD\r\nEND:VTIMEZONE\r\n")
feeds = {
    "plain": cal(ev("a", "DTSTART:20250303T090000Z\r\nDTEND:20250303T100000Z\r\nSUMMARY:A\r\n")),
    "allday": cal(ev("b", "DTSTART;VALUE=DATE:20250304\r\nSUMMARY:All day\r\n")),
    "weekly-zone": cal(ev("c", "DTSTART;TZID=Custom/Berlin:20250106T090000\r\nDURATION:PT1H\r\n"
                           "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20251231T000000Z\r\n"
                           "EXDATE;TZID=Custom/Berlin:20250305T090000\r\nSUMMARY:Weekly\r\n") +
                       ev("c", "RECURRENCE-ID;TZID=Custom/Berlin:20250303T090000\r\n"
                           "DTSTART;TZID=Custom/Berlin:20250303T110000\r\nSUMMARY:Moved\r\n"),
                       zones=berlin),
    "repeated-zone": cal(ev("z", "DTSTART;TZID=Custom/Berlin:20250303T090000\r\nSUMMARY:Z\r\n"),
                         zones=berlin + "BEGIN:VTIMEZONE\r\nTZID:Custom/Berlin\r\nEND:VTIMEZONE\r\n"),
    "monthly": cal(ev("d", "DTSTART:20240131T120000Z\r\nRRULE:FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=30\r\n"
                          "RDATE:20250306T120000Z\r\nSUMMARY:Month end\r\n")),
    "yearly": cal(ev("e", "DTSTART;VALUE=DATE:20000229\r\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29\r\n"
                         "SUMMARY:Leap\r\n")),
    "minutely": cal(ev("f", "DTSTART:20250301T000000Z\r\nRRULE:FREQ=MINUTELY;INTERVAL=7;BYHOUR=9,10\r\n"
                           "SUMMARY:Minutely\r\n")),
    "never": cal(ev("g", "DTSTART:20250101T000000Z\r\nRRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30\r\n")),
    "thisandfuture": cal(ev("h", "DTSTART:20250101T090000Z\r\nRRULE:FREQ=DAILY\r\nSUMMARY:Daily\r\n") +
                         ev("h", "RECURRENCE-ID;RANGE=THISANDFUTURE:20250302T090000Z\r\n"
                             "DTSTART:20250302T100000Z\r\nSUMMARY:Later\r\n")),
    "folded": cal(ev("i", "DTSTART:20250305T080000Z\r\nSUMMARY:A long\r\n  folded line\\, escaped\r\n"
                         "LOCATION:Room 1\r\nSTATUS:CANCELLED\r\nCLASS:PRIVATE\r\n"
                         "ATTENDEE;PARTSTAT=DECLINED:mailto:me@example.com\r\n")),
    "windows-zone": cal(ev("j", "DTSTART;TZID=W. Europe Standard Time:20250305T080000\r\n"
                               "DTEND;TZID=W. Europe Standard Time:20250305T090000\r\nSUMMARY:W\r\n")),
}
for name, text in feeds.items():
    for k, prefix in enumerate((b"\x01" * 8, b"\x37\x00\x00\x00\x00\x00\x00\x00")):
        write("ingest", f"{name}-{k}", prefix + text.encode())

configs = {
    "minimal": 'timezone = "UTC"\n[[source]]\nname = "a"\nurl = "/tmp/a.ics"\n',
    "full": 'timezone = "Europe/Berlin"\nprofile = "development"\nstate_dir = "/tmp/s"\n'
            'owner_emails = ["me@example.com"]\n[display]\nkind = "png"\npath = "/tmp/x.png"\n'
            'width = 480\nheight = 800\nrotation = 90\ntheme = "eink"\n[[source]]\nname = "w"\n'
            'url = "https://example.com/c.ics?token=x"\nrefresh = "5m"\n'
            '[layouts]\ncycle = ["4x8"]\n[button]\nchip = "gpiochip0"\nline = 26\n'
            '[governor]\nrss_target_mb = 150\n[monitoring]\nenabled = false\n',
    "bad": 'timezone = 5\n[display]\nkind = "crt"\n[[source]]\nurl = "ftp://x"\n',
}
for name, text in configs.items():
    write("config", name, text)

for zone in ("UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"):
    p = pathlib.Path("/usr/share/zoneinfo") / zone
    if p.exists():
        write("tzif", zone.replace("/", "-"), p.read_bytes())

# RRULE values: the shapes the reader knows and its edges, then the shared corpus' own.
rules = {
    "FREQ=WEEKLY;UNTIL=20270426T163000Z;INTERVAL=2;BYDAY=MO,WE;WKST=SU",
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "FREQ=DAILY;COUNT=10;BYHOUR=9,17;BYMINUTE=0,30;BYSECOND=0",
    "FREQ=YEARLY;BYYEARDAY=1,-1;BYWEEKNO=20;UNTIL=20300101",
    "FREQ=WEEKLY;BYDAY=MO, TU, 2 TH;WKST=TH",
    "FREQ=DAILY;INTERVAL=1;INTERVAL=3;UNTIL=20250101T090000;",
    "RSCALE=HEBREW;FREQ=YEARLY;BYMONTH=5L;SKIP=FORWARD",
}
corpus = pathlib.Path(__file__).resolve().parent.parent.parent / "shared" / "ics-corpus"
if corpus.is_dir():
    for p in sorted(corpus.rglob("*")):
        if p.is_file():
            text = re.sub(rb"\r?\n[ \t]", b"", p.read_bytes())
            for m in re.finditer(rb"^(?:RRULE|EXRULE)[;:][^\r\n]*", text, re.M | re.I):
                line = m.group(0)
                colon = re.search(rb':(?=(?:[^"]*"[^"]*")*[^"]*$)', line)  # outside quotes
                if colon:
                    rules.add(line[colon.end():].decode("utf-8", "replace"))
for k, rule in enumerate(sorted(rules)):
    write("rrule", f"rule-{k:03}", rule)

# Snapshot files as the daemon writes them, from the ingest seeds.
if binary:
    with tempfile.TemporaryDirectory() as tmp:
        t = pathlib.Path(tmp)
        sources = ""
        for name in ("plain", "weekly-zone", "repeated-zone", "monthly", "thisandfuture"):
            (t / f"{name}.ics").write_text(feeds[name])
            sources += f'[[source]]\nname = "{name}"\nurl = "{t / name}.ics"\n'
        (t / "config.toml").write_text(
            f'timezone = "UTC"\nstate_dir = "{t / "state"}"\n[display]\nkind = "png"\n'
            f'path = "{t / "frame.png"}"\n' + sources)
        run = subprocess.run([binary, "run", "--once", "--config", str(t / "config.toml")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120,
                             text=True, errors="replace")
        snaps = 0
        for p in (t / "state").rglob("*"):
            if p.is_file():
                write("snapshot", p.name, p.read_bytes())
                snaps += p.suffix == ".snap"
        # Without the daemon's own images the snapshot target only meets the short header and
        # its coverage collapses (it did, silently, when the fetch child failed under ASan).
        if snaps == 0:
            sys.exit("make-seeds: `run --once` wrote no snapshot; its log:\n" + run.stderr[-4000:])
write("snapshot", "short-header", b"CBSNAP\r\n\x01\x00\x00\x00" + struct.pack("<IQQ", 0, 1 << 28, 0))
