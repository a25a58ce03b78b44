#!/usr/bin/python3
"""`make system-test`: the arm64 package boots in an emulated machine and draws the calendar.

Builds (once, cached) a bookworm arm64 root filesystem and boot pieces (base-root.sh), makes this
run's disk with the package installed by apt (make-disk.sh), boots it under QEMU (vm.py) and
checks from outside: the service, the screen against `calendarbot render` of the same instant,
the button, the journal, offline, reboot, reload, crash and power cut. Screen grabs go to
build/system-test/; the last line is "N passed, N failed".
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import time

from PIL import Image, ImageChops

sys.dont_write_bytecode = True  # no __pycache__ in the source tree (run as root)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from feed import FeedServer, calendar  # noqa: E402
from vm import Vm, VmError  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SIZE = (480, 800)  # the config's logical size, centred on the VM's 1280x800 panel
UTC = dt.timezone.utc

CONFIG = """\
timezone = "UTC"
profile = "pi-zero"
log_level = "debug"

[display]
kind = "framebuffer"
path = "/dev/fb0"
width = {w}
height = {h}
fit = "center"
tty = "/dev/tty1"

[button]                # the virt machine's PL061 line 3: QEMU's power-button pulse
chip = "gpiochip0"
line = 3
active_low = false      # QEMU drives it high for the 100 ms of a press
bias = "as-is"

[[source]]
name = "work"
url = "{url}"
refresh = "{refresh}"

[layouts]
cycle = ["whats-next", "4x8"]
"""
BROKEN_CONFIG_LINE = '\n[display]\nkind = "hologram"\n'
REFRESH_S = 30


class Run:
    def __init__(self, args):
        self.args = args
        self.out = args.out
        self.passed = 0
        self.failed = 0
        self.figures = []
        self.t0 = time.monotonic()
        self.base = dt.datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        self.feed = FeedServer(calendar(self.base))
        self.vm = None
        self.boot_id = self.entries_boot = None
        self.entries = []

    # --- reporting ----------------------------------------------------------------------------
    def log(self, msg):
        print(f"[{time.monotonic() - self.t0:6.1f}s] {msg}", flush=True)

    def check(self, number, what, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        self.log(f"{'PASS' if ok else 'FAIL'} {number}: {what}{' — ' + detail if detail else ''}")
        return ok

    def figure(self, what, value):
        self.figures.append((what, value))
        self.log(f"FIGURE {what}: {value}")

    # --- VM helpers ---------------------------------------------------------------------------
    def wait_for(self, what, probe, timeout, interval=1.0):
        """Polls probe() until it returns something truthy; None after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            value = probe()
            if value:
                return value
            if time.monotonic() > deadline:
                self.log(f"time-out ({timeout} s) waiting for {what}")
                return None
            time.sleep(interval)

    def unit(self, *props):
        out = self.vm.out("systemctl show calendarbot -p " + ",".join(props))
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

    def journal(self):
        """calendarbot's journal entries of this boot, as dicts. Each call asks the VM only for
        the entries after the last one it has (journalctl --after-cursor)."""
        if self.entries_boot != self.boot_id:
            self.entries, self.entries_boot = [], self.boot_id
        after = f"--after-cursor='{self.entries[-1]['__CURSOR']}'" if self.entries else ""
        out = self.vm.out(f"journalctl -b -u calendarbot -o json --no-pager {after}", 120)
        for line in out.splitlines():
            try:
                e = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(e, dict) and isinstance(e.get("MESSAGE"), str):
                self.entries.append(e)
        return list(self.entries)

    @staticmethod
    def daemon_lines(entries):
        return [e for e in entries if e.get("SYSLOG_IDENTIFIER") == "calendarbot"]

    @staticmethod
    def when(entry):
        return dt.datetime.fromtimestamp(int(entry["__REALTIME_TIMESTAMP"]) / 1e6, UTC)

    def find(self, entries, pattern, after=None):
        """The first daemon line matching `pattern` after `after`: a journal entry (the lines
        that follow it in the journal: lines journald read together share a timestamp) or an
        instant of the VM's monotonic clock in microseconds."""
        rx = re.compile(pattern)
        passed = not isinstance(after, dict)
        for e in self.daemon_lines(entries):
            if not passed:
                passed = e["__CURSOR"] == after["__CURSOR"]
                continue
            if isinstance(after, int) and int(e["__MONOTONIC_TIMESTAMP"]) <= after:
                continue
            if rx.search(e.get("MESSAGE", "")):
                return e
        return None

    def wait_line(self, pattern, timeout, after=None):
        """The first daemon line of this boot matching `pattern` (after the monotonic instant
        `after`); None after `timeout`."""
        return self.wait_for(f"journal /{pattern}/",
                             lambda: self.find(self.journal(), pattern, after), timeout, 1.0)

    def boot(self, label):
        self.vm.start()
        boot_id = self.boot_id = self.vm.wait_agent(self.args.boot_timeout)
        self.log(f"{label}: agent ready {time.monotonic() - self.vm.started_at:.0f} s after "
                 f"QEMU started (boot {boot_id[:8]})")
        return boot_id

    # --- screens ------------------------------------------------------------------------------
    def grab(self, name):
        """The VM's screen, cut to the calendar's 480x800, saved as build/system-test/NAME."""
        path = os.path.join(self.out, name)
        ppm = self.vm.screendump(path)
        with Image.open(ppm) as full:
            full = full.convert("RGB")
            w, h = full.size
            x, y = (w - SIZE[0]) // 2, (h - SIZE[1]) // 2
            full.crop((x, y, x + SIZE[0], y + SIZE[1])).save(path)
            full.save(os.path.join(self.out, "full-" + name))
        os.unlink(ppm)
        return path

    def render(self, name, layout, at, synced, offline_since=None, ics=None):
        path = os.path.join(self.out, "expected", name)
        cmd = [self.args.calendarbot, "render", "--ics", ics or self.ics_path, "--layout", layout,
               "--at", at.strftime("%Y-%m-%dT%H:%M:%SZ"), "--tz", "UTC",
               "--size", f"{SIZE[0]}x{SIZE[1]}", "--synced", synced.strftime("%Y-%m-%dT%H:%M:%SZ"),
               "--out", path]
        if offline_since:
            cmd += ["--offline-since", offline_since.strftime("%Y-%m-%dT%H:%M:%SZ")]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        return path

    def matches(self, grabbed, layout, at, synced, offline_since=None, ics=None):
        """Compares a grab with the host's render of the same instant. The daemon draws the minute
        it is in; the grab may land just after the minute ticked and before the redraw, so the
        previous minute's frame is also accepted. Both must match exactly: the same fonts and
        libraries draw the same pixels on arm64 and x86 (verified: ../shared/notes)."""
        minute = at.replace(second=0, microsecond=0)
        best = None
        with Image.open(grabbed) as g:
            g = g.convert("RGB")
            # The daemon draws on the minute and after events (a press, a fetch) at any second.
            instants = [m + dt.timedelta(seconds=s) for m in (minute, minute -
                        dt.timedelta(minutes=1)) for s in (0, 30, 59)]
            for i, cand in enumerate(instants):
                name = f"{os.path.basename(grabbed)[:-4]}-{i}.png"
                exp = self.render(name, layout, cand, synced, offline_since, ics)
                with Image.open(exp) as e:
                    diff = ImageChops.difference(g, e.convert("RGB"))
                    bbox = diff.getbbox()
                    count = sum(1 for p in diff.getdata() if p != (0, 0, 0)) if bbox else 0
                if count == 0:
                    return True, f"identical to the render at {cand:%H:%M:%S} UTC"
                if best is None or count < best[0]:
                    best = (count, cand, bbox)
        return False, (f"{best[0]} pixels differ from the render at {best[1]:%H:%M:%S} UTC "
                       f"(box {best[2]})")

    # --- the run ------------------------------------------------------------------------------
    def prepare(self):
        os.makedirs(os.path.join(self.out, "expected"), exist_ok=True)
        self.ics_path = os.path.join(self.out, "work.ics")
        with open(self.ics_path, "wb") as f:
            f.write(self.feed.body)
        self.feed.start()
        self.log(f"feed server: http://127.0.0.1:{self.feed.port}/work.ics "
                 f"(in the VM: 10.0.2.2:{self.feed.port})")
        config = os.path.join(self.out, "config.toml")
        with open(config, "w") as f:
            f.write(CONFIG.format(w=SIZE[0], h=SIZE[1], refresh=f"{REFRESH_S}s",
                                  url=f"http://10.0.2.2:{self.feed.port}/work.ics"))
        self.config_text = open(config).read()
        t = time.monotonic()
        cached = ensure_disk(self.args.cache, self.args.deb)
        subprocess.run(["cp", "--sparse=always", cached, self.disk], check=True)
        subprocess.run([os.path.join(HERE, "set-config.sh"), self.disk, config], check=True)
        self.log(f"disk ready in {time.monotonic() - t:.0f} s")

    def last_success(self, entries):
        """The instant of the last good fetch, as the daemon logged it."""
        last = None
        for e in self.daemon_lines(entries):
            msg = e.get("MESSAGE", "")
            if re.search(r"^work: (updated|not modified)", msg):
                last = self.when(e)
            m = re.search(r"keeping the last good data from (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)", msg)
            if m:
                last = dt.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        return last

    def first_boot(self):
        self.boot("boot 1")
        # 1. started at boot, READY=1 (Type=notify: "active" only after it), watchdog pings.
        st = self.wait_for("calendarbot active", lambda: (lambda u: u if u.get("ActiveState") ==
                           "active" else None)(self.unit("ActiveState")), 300)
        u = self.unit("Type", "ActiveState", "SubState", "MainPID", "WatchdogUSec",
                      "WatchdogTimestampMonotonic", "ExecMainStartTimestampMonotonic",
                      "UnitFileState")
        self.check(1, "the service started at boot and sent READY=1",
                   st is not None and u["Type"] == "notify" and u["SubState"] == "running" and
                   u["UnitFileState"] == "enabled", str(u))
        self.watchdog0 = int(u.get("WatchdogTimestampMonotonic", "0"))
        # Where an emulated boot spends its time (logged, not asserted).
        self.log("boot 1 under emulation:\n" + self.vm.out(
            "systemd-analyze; systemd-analyze critical-chain calendarbot.service cb-agent.service",
            check=False).strip())
        start_mono = int(u["ExecMainStartTimestampMonotonic"])

        updated = self.wait_line(r"^work: updated", 300)
        frame = updated and self.wait_line(r"^frame whats-next: drawn", 60,
                                           after=updated)
        first = self.find(self.journal(), r"^frame \S+: drawn")
        if first:
            mono = int(first["__MONOTONIC_TIMESTAMP"])
            self.figure("unit start to first frame (journal)",
                        f"{(mono - start_mono) / 1e6:.2f} s")
            self.figure("kernel boot to first frame (journal, emulated)", f"{mono / 1e6:.1f} s")
        if frame:
            # The frame with data: the first may be the "not synced yet" one.
            self.figure("kernel boot to first frame with the feed's events (journal)",
                        f"{int(frame['__MONOTONIC_TIMESTAMP']) / 1e6:.1f} s")

        # 2. the framebuffer shows the calendar.
        time.sleep(1)
        now = dt.datetime.now(UTC)
        grab = self.grab("boot.png")
        synced = self.last_success(self.journal())
        ok, why = self.matches(grab, "whats-next", now, synced) if synced else (False, "no fetch")
        self.check(2, "boot.png: the framebuffer shows the calendar (whats-next)", ok, why)

        # 9. probe finds the framebuffer and the gpiochip.
        probe = self.vm.out("runuser -u calendarbot -- calendarbot probe 2>&1")
        with open(os.path.join(self.out, "probe.txt"), "w") as f:
            f.write(probe)
        self.log("calendarbot probe (as the service user):\n" + probe)
        self.check(9, "calendarbot probe finds /dev/fb0 (1280x800) and gpiochip0 line 3",
                   re.search(r"/dev/fb0: 1280x800 .* usable", probe) is not None and
                   re.search(r'gpiochip0: "9030000.pl061"', probe) is not None and
                   'line 3 (unnamed): input, used by "calendarbot"' in probe and
                   "cannot" not in probe and "denied" not in probe)

        # The package's udev rule, not the test, gave the gpiochip to the service's group: the
        # daemon (running as calendarbot) holds line 3, as the probe above shows.
        rule = "/lib/udev/rules.d/60-calendarbot.rules"
        dev = self.vm.out(f"stat -c '%U:%G %a' /dev/gpiochip0; dpkg -S {rule} 2>&1; find "
                          "/etc/udev/rules.d /run/udev/rules.d -name '*.rules' 2>/dev/null | wc -l",
                          check=False)
        self.log("udev: " + " | ".join(dev.splitlines()))
        self.check(9, "the package's udev rule (no other) gives /dev/gpiochip0 to group gpio",
                   dev.splitlines() == ["root:gpio 660", f"calendarbot: {rule}", "0"],
                   " | ".join(dev.splitlines()))

        # 3. the button: short press → 4x8 within a second; the next one → back.
        self.button_press("4x8", "button.png")
        self.button_press("whats-next", "button-back.png")
        self.long_press()

        # 4. the journal: expected lines, at their priorities; nothing at warning or above.
        entries = self.daemon_lines(self.journal())
        expected = [(r"^calendarbot \S+: display framebuffer", 6), (r"^button: ", 6),
                    (r"^running: ", 6), (r"^work: updated", 6), (r"^layout: 4x8", 6),
                    (r"^frame whats-next: drawn", 7)]
        missing = [p for p, prio in expected
                   if not any(re.search(p, e["MESSAGE"]) and int(e.get("PRIORITY", -1)) == prio
                              for e in entries)]
        loud = [f"<{e.get('PRIORITY')}>{e['MESSAGE']}" for e in entries
                if int(e.get("PRIORITY", 7)) <= 4]
        self.check(4, "journalctl -u calendarbot: expected lines at info/debug, none >= warning",
                   not missing and not loud, f"missing {missing} loud {loud}" if missing or loud
                   else f"{len(entries)} lines")

        # 7. a broken config is refused by reload; the old one keeps running.
        pid = self.unit("MainPID")["MainPID"]
        mark = self.vm.out("cat /proc/uptime").split()[0]
        self.vm.out("cp /etc/calendarbot/config.toml /root/config.good && "
                    f"printf '%s' '{BROKEN_CONFIG_LINE}' >> /etc/calendarbot/config.toml && "
                    "systemctl reload calendarbot")
        after = int(float(mark) * 1e6)
        refused = self.wait_line(r"^reload refused", 30, after=after)
        self.vm.out("cp /root/config.good /etc/calendarbot/config.toml")
        u = self.unit("MainPID", "ActiveState")
        self.press_and_wait_layout("4x8", after)  # the old config still runs: the button works
        self.press_and_wait_layout("whats-next", after)
        self.check(7, "systemctl reload with a broken config is refused and logged; still running",
                   refused is not None and int(refused.get("PRIORITY", 7)) == 3 and
                   u["MainPID"] == pid and u["ActiveState"] == "active",
                   refused["MESSAGE"] if refused else "no 'reload refused' line")

        self.console_heals()

        # 5. the feed server stops → the events stay, "offline since" the last good fetch.
        self.feed.stop()
        stopped = int(float(self.vm.out("cat /proc/uptime").split()[0]) * 1e6)
        failed = self.wait_line(r"keeping the last good data", 120, after=stopped)
        since = self.last_success(self.journal())
        self.wait_offline_frame(failed, since)
        now = dt.datetime.now(UTC)
        grab = self.grab("offline.png")
        ok, why = (self.matches(grab, "whats-next", now, since, since) if failed and since
                   else (False, "no fetch failure in the journal"))
        self.check(5, "offline.png: the events stay, with 'offline since' the last good fetch",
                   ok, why)
        self.offline_since = since
        # The snapshot is written when a fetch brings changed data (not after each fetch).
        written = [e for e in self.daemon_lines(self.journal())
                   if re.search(r"^work: snapshot written", e["MESSAGE"])]
        self.last_written = self.when(written[-1]) if written else None

        # Reported: RSS after 5 minutes; and the watchdog has been pinged since READY.
        def uptime_s():
            u = self.unit("ExecMainStartTimestampMonotonic")
            return float(self.vm.out("cat /proc/uptime").split()[0]) - int(
                u["ExecMainStartTimestampMonotonic"]) / 1e6
        wait = 300 - uptime_s()
        if wait > 0:
            self.log(f"waiting {wait:.0f} s for the daemon's fifth minute (RSS figure)")
            time.sleep(wait)
        pid = self.unit("MainPID")["MainPID"]
        rss = self.vm.out(f"grep VmRSS /proc/{pid}/status").split()[1]
        self.figure("daemon RSS after 5 minutes in the VM", f"{int(rss) / 1024:.1f} MB")
        u = self.unit("WatchdogUSec", "WatchdogTimestampMonotonic")
        self.check(1, "the watchdog is pinged (WatchdogTimestamp advanced while running)",
                   int(u["WatchdogTimestampMonotonic"]) > self.watchdog0 > 0, str(u))

    def console_heals(self):
        """2. the screen stays the calendar's: the package keeps getty@tty1 from starting (it
        conflicts with it), and what a getty's start does to tty1 anyway (systemd's TTYReset=,
        TTYVHangup=, TTYVTDisallocate=: text mode, the screen cleared, text on it) or bytes
        written straight into /dev/fb0 are gone by the next minute's frame, which rewrites the
        whole panel: the grab is then identical to the render again."""
        getty = self.vm.out("systemctl is-active getty@tty1", check=False).strip()
        self.check(2, "getty@tty1 is not running (calendarbot.service conflicts with it)",
                   getty == "inactive", getty)
        for name, what, command, evidence in (
                # A oneshot unit with getty@.service's tty settings (systemd-run would need
                # D-Bus, which the image does not have): started, it returns once it ran.
                ("console", "a getty-style reset of tty1 (text mode, cleared, a login prompt)",
                 "printf '%s\\n' '[Service]' Type=oneshot TTYPath=/dev/tty1 TTYReset=yes "
                 "TTYVHangup=yes TTYVTDisallocate=yes StandardInput=tty StandardOutput=tty "
                 "\"ExecStart=/bin/echo 'calendarbot-vm login:'\" "
                 "> /run/systemd/system/cb-getty-like.service && systemctl daemon-reload && "
                 "systemctl start cb-getty-like",
                 r"^console /dev/tty1: (hung up|back in text mode) .* graphics mode taken back"),
                ("scribble", "random bytes written into /dev/fb0",
                 "dd if=/dev/urandom of=/dev/fb0 bs=64k count=40 2>/dev/null", None)):
            before = self.mark()
            self.vm.out(command)
            # systemd resets the tty before and after the command: the console is in text mode
            # when it returns. The next frame takes it back and rewrites the whole panel, as
            # does any frame 50 s after the last whole one: the minute's frame at the latest.
            mark = self.mark()
            self.grab(f"{name}-disturbed.png")  # what it did (not compared: a frame may be quick)
            frame = self.wait_line(r"^frame \S+: drawn .*\(the whole panel\)", 150, after=mark)
            seen = self.find(self.journal(), evidence, after=before) if evidence else True
            time.sleep(1)
            now = dt.datetime.now(UTC)
            grab = self.grab(f"healed-{name}.png")
            ok, why = self.matches(grab, "whats-next", now, self.last_success(self.journal()))
            if frame:
                self.figure(f"{what} to the whole panel redrawn",
                            f"{(int(frame['__MONOTONIC_TIMESTAMP']) - mark) / 1e6:.1f} s")
            self.check(2, f"healed-{name}.png: after {what} the screen is the calendar again",
                       ok and frame is not None and seen is not None,
                       why + ("" if frame else "; no whole-panel frame") +
                       ("" if seen else "; the daemon did not log taking the console back"))

    def press_and_wait_layout(self, layout, after):
        self.vm.press_button()
        return self.wait_line(rf"^frame {layout}: drawn", 30, after=after)

    def calendar_area(self, ppm):
        """The calendar's 480x800 in the middle of a screendump (the PPM is removed)."""
        with Image.open(ppm) as full:
            full = full.convert("RGB")
            w, h = full.size
            x, y = (w - SIZE[0]) // 2, (h - SIZE[1]) // 2
            area = full.crop((x, y, x + SIZE[0], y + SIZE[1]))
        os.unlink(ppm)
        return area

    def polls_after_press(self, timeout=10.0, settle=1.0):
        """Host-side: the QMP press, then the calendar's area grabbed as fast as QEMU answers,
        until `settle` s after the first grab that differs from the one before the press (or
        `timeout`). [(seconds from the press to the grab's answer, image)], and whether the
        area changed at all."""
        tmp = os.path.join(self.args.work, "poll")
        before = self.calendar_area(self.vm.screendump(tmp))
        pressed = time.monotonic()
        self.vm.press_button()
        polls, changed = [], None
        while time.monotonic() - pressed < (timeout if changed is None else changed + settle):
            area = self.calendar_area(self.vm.screendump(tmp))
            t = time.monotonic() - pressed
            polls.append((t, area))
            if changed is None and ImageChops.difference(before, area).getbbox():
                changed = t
        return polls, changed is not None

    def button_press(self, layout, name):
        mark = self.mark()
        polls, changed = self.polls_after_press()
        frame = self.wait_line(rf"^frame {layout}: drawn", 30, after=mark)
        entries = self.journal()
        now = dt.datetime.now(UTC)
        grab = self.grab(name)
        ok, why = self.matches(grab, layout, now, self.last_success(entries))
        # Press to screen, from outside: the first grab after the QMP press that is the frame the
        # check then compared with the render -- not just any change (a blinking cursor, a
        # countdown's minute, an older frame still on its way through virtio-gpu would count).
        # It includes the press itself (QEMU holds the line 100 ms; a short press acts on its
        # release), the edge's way to the daemon, the frame, and virtio-gpu's deferred flush.
        with Image.open(grab) as g:
            final = g.convert("RGB")
            seen = next((t for t, area in polls if not ImageChops.difference(final, area)
                         .getbbox()), None)
        self.figure(f"button press to {layout} on screen (host-side: QMP press to the grab)",
                    f"{seen * 1000:.0f} ms" if seen is not None else
                    "n/a (the screen changed again before the compared grab)")
        # In the VM, in the daemon: from the layout switch (the press's release read) to the
        # frame written into /dev/fb0, as the daemon times it (steady clock: "drawn in X ms,
        # shown in Y ms"). The journal's own timestamps are not used: they are taken when
        # journald reads each line, on a loaded emulated machine up to half a second late.
        m = frame and re.search(r"drawn in ([\d.]+) ms, shown in ([\d.]+) ms", frame["MESSAGE"])
        if m:
            self.figure(f"layout switch to {layout} frame in /dev/fb0 (the daemon's own timing)",
                        f"{float(m.group(1)) + float(m.group(2)):.0f} ms")
        # The switch is asserted (the screen changes after the press, within the 10 s poll, and
        # shows the other layout); "within a second" is printed above, never asserted: four
        # emulated CPUs on a shared 2-core host took 93-965 ms, and CI must not go red on the
        # host's load.
        if seen is not None and seen >= 1.0:
            print(f"  note: {layout} appeared {seen:.2f} s after the press (target: 1 s)")
        self.check(3, f"{name}: a button press switches to {layout}", ok and changed,
                   why + ("" if changed else "; the screen did not change after the press"))

    def long_press(self):
        """3. a long press (the line held 3 s; the config's long press is 2 s) refreshes every
        source and redraws the whole panel; the layout stays. It is made right after a periodic
        fetch has ended, so that the fetch after it is the press's (the next one is 30 s off)."""
        self.wait_line(r"^work: (updated|not modified)", 2 * REFRESH_S + 30, after=self.mark())
        mark = self.mark()
        self.vm.hold_button(3.0)
        held = self.wait_line(r"^button: long press", 30, after=mark)
        at = held or mark
        fetched = self.wait_line(r"^work: (updated|not modified)", 60, after=at)
        entries = self.journal()
        fetching = self.find(entries, r"^work: fetching", after=at)
        frame = self.find(entries, r"^frame whats-next: drawn", after=at)
        layout = self.find(entries, r"^layout: ", after=mark)
        self.check(3, "a long press refreshes the feed and redraws the panel; the layout stays",
                   held is not None and int(held.get("PRIORITY", 7)) == 6 and fetching is not None
                   and fetched is not None and frame is not None and layout is None,
                   f"long press {bool(held)}, then fetching {bool(fetching)}, fetched "
                   f"{bool(fetched)}, frame {bool(frame)}, layout line {bool(layout)}")

    def wait_offline_frame(self, failed, since):
        """The first whats-next frame that says offline: drawn after the first failed fetch
        (the journal entry `failed`) and once the last good data (`since`) is more than twice
        the refresh interval old -- the daemon's rule, in whole seconds. After the power cut
        the last good fetch can be under a minute old when the first fetch fails: the frame
        after the failure then is not offline yet (a run failed on that, 2026-12-05). The
        journal stamps a line when journald reads it, up to a second late here: 3 s of margin.
        Then a grab not in the minute's first seconds, when the minute's frame may be on its
        way."""
        if not failed or not since:
            return None
        offline_at = since + dt.timedelta(seconds=2 * REFRESH_S + 3)
        after = int(failed["__MONOTONIC_TIMESTAMP"])
        frame = self.wait_for("the offline frame", lambda: next(
            (e for e in self.daemon_lines(self.journal())
             if re.search(r"^frame whats-next: drawn", e["MESSAGE"]) and
             self.when(e) > offline_at and int(e["__MONOTONIC_TIMESTAMP"]) > after), None), 180)
        self.wait_for("a grab after the minute's first seconds",
                      lambda: dt.datetime.now(UTC).second >= 5, 10, 0.2)
        return frame

    def mark(self):
        """The VM's monotonic clock now, in the journal's microseconds."""
        return int(float(self.vm.out("cat /proc/uptime").split()[0]) * 1e6)

    def second_boot(self):
        # 6. reboot with the feed server still down: the snapshot's calendar, before any network.
        self.vm.send("systemctl reboot")
        self.boot_id = self.vm.wait_agent(self.args.boot_timeout)
        self.log("boot 2 (reboot): agent ready")
        failed = self.wait_line(r"keeping the last good data", 300)
        entries = self.journal()
        snap = self.find(entries, r"^work: \d+ events from the snapshot")
        # In the journal's order: the snapshot loaded, a frame drawn, then the first fetch failed.
        drawn = snap and self.find(entries, r"^frame whats-next: drawn", after=snap)
        then = drawn and self.find(entries, "keeping the last good data", after=drawn)
        ordered = bool(failed and then and then["__CURSOR"] == failed["__CURSOR"])
        # The snapshot is rewritten when the data changes, not after a fetch that found it the
        # same (the SD card is spared): after a reboot "offline since" is the time of the last
        # snapshot written, which may be earlier than the last good fetch the first boot showed.
        since = self.last_success(self.journal())
        self.wait_offline_frame(failed, since)
        now = dt.datetime.now(UTC)
        grab = self.grab("reboot-offline.png")
        in_range = (since and self.last_written and
                    self.last_written - dt.timedelta(seconds=2) <= since <= self.last_written)
        self.snapshot_since = since
        ok, why = self.matches(grab, "whats-next", now, since, since) if since else (False, "")
        self.check(6, "reboot-offline.png: the last good calendar from the snapshot, "
                   "drawn before any fetch", ok and bool(ordered) and bool(in_range),
                   why + ("" if ordered else "; snapshot/frame/fetch order wrong or missing") +
                   f"; offline since {since} (snapshot written {self.last_written}, last good "
                   f"fetch {self.offline_since})")

        # 8a. kill -9 → systemd restarts it and the screen is drawn again (it was blanked).
        u = self.unit("MainPID", "NRestarts")
        self.vm.out(f"kill -9 {u['MainPID']} && dd if=/dev/zero of=/dev/fb0 bs=1M 2>/dev/null; "
                    "true")
        back = self.wait_for("the restart", lambda: (lambda v: v if v["ActiveState"] == "active"
                             and v["MainPID"] not in ("0", u["MainPID"]) else None)(
                                 self.unit("MainPID", "NRestarts", "ActiveState")), 60)
        # The new process draws the snapshot at once and marks it offline after its first
        # failed fetch: the grab is taken after that redraw.
        entries = self.journal()
        starts = [e for e in self.daemon_lines(entries)
                  if re.search(r"^calendarbot \S+: display", e["MESSAGE"])]
        mark = starts[-1] if starts else 0
        failed = self.wait_line(r"keeping the last good data", 120, after=mark)
        if failed:
            self.wait_line(r"^frame whats-next: drawn", 30,
                           after=failed)
        time.sleep(1)
        now = dt.datetime.now(UTC)
        grab = self.grab("killed.png")
        ok, why = self.matches(grab, "whats-next", now, self.snapshot_since, self.snapshot_since)
        self.check(8, "kill -9: systemd restarts the daemon and the blanked screen is redrawn",
                   ok and back is not None and int(back["NRestarts"]) == int(u["NRestarts"]) + 1,
                   f"{why}; {back}")

    def power_cut(self):
        # 8b. good data v2 arrives; then a refresh is under way (the feed stalls mid-body) when
        # QEMU is killed. The next boot, with the feed down, shows v2.
        v2 = calendar(self.base, [("Power-cut drill", dt.timedelta(hours=2),
                                   dt.timedelta(minutes=30))])
        v3 = calendar(self.base, [("Never complete", dt.timedelta(hours=2),
                                   dt.timedelta(minutes=30))])
        self.feed.body = v2
        self.feed.start()
        mark = int(float(self.vm.out("cat /proc/uptime").split()[0]) * 1e6)
        self.vm.out("systemctl kill -s USR2 calendarbot")
        updated = self.wait_line(r"^work: updated", 120, after=mark)
        self.vm.out("sleep 2")  # the snapshot is written right after the update is logged
        self.feed.body, self.feed.stall = v3, True
        requests = self.feed.requests
        self.vm.out("systemctl kill -s USR2 calendarbot")
        mid = self.wait_for("the stalled refresh", lambda: self.feed.requests > requests, 60, 0.2)
        time.sleep(1)
        self.vm.kill()
        self.log(f"power cut: QEMU killed {'during' if mid else 'without'} a stalled refresh")
        self.feed.stop()
        self.feed.stall = False

        v2_path = os.path.join(self.out, "work-v2.ics")
        with open(v2_path, "wb") as f:
            f.write(v2)
        self.boot("boot 3 (after the power cut)")
        failed = self.wait_line(r"keeping the last good data", 300)
        since = self.last_success(self.journal())
        self.wait_offline_frame(failed, since)
        now = dt.datetime.now(UTC)
        grab = self.grab("power-cut.png")
        ok, why = (self.matches(grab, "whats-next", now, since, since, v2_path)
                   if since else (False, "no fetch failure"))
        self.check(8, "power cut mid-refresh: the next boot shows the last good data (v2)",
                   ok and updated is not None and mid is not None, why)

    def main(self):
        os.makedirs(self.out, exist_ok=True)
        self.disk = os.path.join(self.args.work, "disk.img")
        os.makedirs(self.args.work, exist_ok=True)
        cache = self.args.cache
        self.prepare()
        self.vm = Vm(self.args.work, os.path.join(cache, "vmlinuz"),
                     os.path.join(cache, "initrd.img"), self.disk, self.args.smp, self.log)
        try:
            self.first_boot()
            self.second_boot()
            self.power_cut()
        except (VmError, OSError, subprocess.CalledProcessError, KeyError, TypeError,
                ValueError) as e:
            self.check("-", "the run went to its end", False, f"{type(e).__name__}: {e}")
        finally:
            if self.vm:
                self.vm.stop()
            self.feed.stop()
        self.log("figures (reported, not asserted):")
        for what, value in self.figures:
            print(f"  {what}: {value}")
        self.log(f"total {time.monotonic() - self.t0:.0f} s; screen grabs in {self.out}/")
        print(f"{self.passed} passed, {self.failed} failed")
        return 0 if self.failed == 0 and self.passed > 0 else 1


def ensure_cache(cache):
    """The root filesystem, then the boot pieces: each rebuilt when its script changed."""
    os.makedirs(cache, exist_ok=True)
    key = ""
    for script, product in (("base-root.sh", "the root filesystem"),
                            ("boot-pieces.sh", "the kernel and initramfs")):
        with open(os.path.join(HERE, script), "rb") as f:
            key = hashlib.sha256(key.encode() + f.read()).hexdigest()
        stamp = os.path.join(cache, script + ".key")
        if os.path.exists(stamp) and open(stamp).read() == key:
            continue
        print(f"system-test: building {product} in {cache}", flush=True)
        t = time.monotonic()
        subprocess.run([os.path.join(HERE, script), cache], check=True)
        with open(stamp, "w") as f:
            f.write(key)
        print(f"system-test: {product} built in {time.monotonic() - t:.0f} s", flush=True)


def ensure_disk(cache, deb):
    """The disk with the package installed, cached per package, root and script: installing it
    takes a minute and more under qemu-user. Each run boots a copy with its own config."""
    h = hashlib.sha256()
    for script in ("base-root.sh", "boot-pieces.sh"):
        with open(os.path.join(cache, script + ".key"), "rb") as f:
            h.update(f.read())
    files = [os.path.join(HERE, "make-disk.sh"), deb]
    for top, _, names in sorted(os.walk(os.path.join(HERE, "overlay"))):
        files += [os.path.join(top, n) for n in sorted(names)]
    for path in files:
        h.update(os.path.relpath(path, HERE).encode() if path != deb else b"deb")
        with open(path, "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    disk = os.path.join(cache, f"disk-{h.hexdigest()[:16]}.img")
    if os.path.exists(disk):
        print(f"system-test: the disk for this package is cached ({os.path.basename(disk)})",
              flush=True)
        return disk
    for old in os.listdir(cache):
        if old.startswith("disk-"):
            os.unlink(os.path.join(cache, old))
    print(f"system-test: installing {os.path.basename(deb)} into a disk", flush=True)
    t = time.monotonic()
    subprocess.run([os.path.join(HERE, "make-disk.sh"), cache, deb, disk + ".tmp"], check=True)
    os.rename(disk + ".tmp", disk)
    print(f"system-test: disk made in {time.monotonic() - t:.0f} s", flush=True)
    return disk


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--deb", required=True, help="the arm64 package under test")
    p.add_argument("--calendarbot", required=True, help="this machine's build, for renders")
    p.add_argument("--cache", default="build/system-test-cache")
    p.add_argument("--out", default="build/system-test")
    p.add_argument("--work", default="build/system-test/vm")
    p.add_argument("--smp", type=int, default=4)
    p.add_argument("--boot-timeout", type=int, default=600)
    args = p.parse_args()
    for a in ("cache", "out", "work", "deb", "calendarbot"):
        setattr(args, a, os.path.abspath(getattr(args, a)))
    ensure_cache(args.cache)
    return Run(args).main()


if __name__ == "__main__":
    sys.exit(main())
