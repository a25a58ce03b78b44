"""The feed server of `make system-test`: one ICS calendar on the host's loopback (the VM reaches
it as 10.0.2.2), which the test takes down, brings back and makes stall mid-body."""

import datetime as dt
import http.server
import threading

EVENTS = [
    # (summary, start offset from the base hour, duration); the base is the test's start hour.
    ("Standup", dt.timedelta(hours=1), dt.timedelta(minutes=15)),
    ("Design review", dt.timedelta(hours=3), dt.timedelta(hours=1)),
    ("Lunch with Ana", dt.timedelta(days=1, hours=2), dt.timedelta(hours=1)),
    ("Release planning", dt.timedelta(days=2, hours=1), dt.timedelta(minutes=45)),
]


def calendar(base, extra=()):
    """An ICS text: EVENTS plus `extra` (same tuple form), anchored at `base` (UTC)."""
    fmt = "%Y%m%dT%H%M%SZ"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//calendarbot//system-test//EN"]
    for i, (summary, offset, length) in enumerate(list(EVENTS) + list(extra)):
        start = base + offset
        lines += [
            "BEGIN:VEVENT",
            f"UID:system-test-{i}@calendarbot",
            f"DTSTAMP:{base.strftime(fmt)}",
            f"DTSTART:{start.strftime(fmt)}",
            f"DTEND:{(start + length).strftime(fmt)}",
            f"SUMMARY:{summary}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


class FeedServer:
    def __init__(self, body):
        self.body = body
        self.stall = False
        self.requests = 0
        self.port = 0
        self.server = None
        self.released = threading.Event()

    def _handler(self):
        feed = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                feed.requests += 1
                if self.path != "/work.ics":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar; charset=utf-8")
                self.send_header("Content-Length", str(len(feed.body)))
                self.end_headers()
                if feed.stall:
                    # Half the body, then nothing: the daemon is in the middle of a refresh.
                    self.wfile.write(feed.body[: len(feed.body) // 2])
                    self.wfile.flush()
                    feed.released.wait(600)
                    return
                self.wfile.write(feed.body)

            def log_message(self, *args):
                pass

        return Handler

    def start(self):
        self.released.clear()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        """The server goes away: connections to its port are refused."""
        if self.server:
            self.released.set()
            self.server.shutdown()
            self.server.server_close()
            self.server = None
