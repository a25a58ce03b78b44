"""The emulated arm64 machine of `make system-test`: QEMU, its QMP monitor and the in-VM agent.

QEMU runs `-M virt -cpu cortex-a53` under TCG with Debian's kernel booted directly (device
tree, no ACPI), so that `system_powerdown` pulses line 3 of the PL061 GPIO controller: the
button's short press. A long press holds the same line through QEMU's qtest socket
(`set_irq_in` on the PL061's input 3, which the power-button pulse also drives), beside TCG.
The agent is a root shell loop on a virtio-serial port (cb-agent in the image): the test runs
commands in the VM through it and reads their output, with no login.
"""

import base64
import json
import os
import signal
import socket
import subprocess
import time

AGENT_PORT = "cb.agent"


class VmError(Exception):
    pass


class Vm:
    def __init__(self, workdir, kernel, initrd, disk, smp, log):
        self.workdir = workdir
        self.kernel, self.initrd, self.disk = kernel, initrd, disk
        self.smp = smp
        self.log = log
        self.proc = None
        self.qmp = None
        self.agent = None
        self.agent_buf = b""
        self.seq = 0
        self.boots = 0
        self.started_at = None
        self.qtest = None

    # --- QEMU -------------------------------------------------------------------------------
    def start(self):
        qmp_path = os.path.join(self.workdir, "qmp.sock")
        agent_path = os.path.join(self.workdir, "agent.sock")
        qtest_path = os.path.join(self.workdir, "qtest.sock")
        for p in (qmp_path, agent_path, qtest_path):
            if os.path.exists(p):
                os.unlink(p)
        self.boots += 1
        console = os.path.join(self.workdir, f"console-{self.boots}.log")
        cmd = [
            "nice", "-n", "10", "qemu-system-aarch64",
            "-M", "virt", "-cpu", "cortex-a53", "-smp", str(self.smp), "-m", "512",
            # TCG named: with -qtest alone QEMU would pick the qtest accelerator (no CPU runs).
            "-accel", "tcg",
            "-kernel", self.kernel, "-initrd", self.initrd,
            # gpio_keys would take PL061 line 3 (the "power button") before the daemon can.
            "-append", "console=ttyAMA0 root=/dev/vda rw modprobe.blacklist=gpio_keys "
                       "loglevel=4 systemd.show_status=0",
            "-drive", f"file={self.disk},format=raw,if=none,id=hd0,cache=writeback",
            "-device", "virtio-blk-pci,drive=hd0",
            "-device", "virtio-gpu-pci",
            # User-mode networking only: the host's loopback is 10.0.2.2 in the VM.
            "-netdev", "user,id=net0",
            "-device", "virtio-net-pci,netdev=net0,romfile=",
            "-device", "virtio-serial-pci",
            "-chardev", f"socket,id=agent,path={agent_path},server=on,wait=off",
            "-device", f"virtserialport,chardev=agent,name={AGENT_PORT}",
            "-qmp", f"unix:{qmp_path},server=on,wait=off",
            "-qtest", f"unix:{qtest_path},server=on,wait=off", "-qtest-log", "none",
            "-serial", f"file:{console}",
            "-display", "none", "-nodefaults", "-no-user-config",
        ]
        self.log(f"vm: boot {self.boots}: {' '.join(cmd[3:])}")
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
        self.qmp = self._connect(qmp_path)
        self.qmp_file = self.qmp.makefile("rwb")
        json.loads(self.qmp_file.readline())  # greeting
        self.qmp_command("qmp_capabilities")
        self.agent = self._connect(agent_path)
        self.agent_buf = b""
        self.qtest = self._connect(qtest_path)
        self.qtest_file = self.qtest.makefile("rwb")

    def _connect(self, path):
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise VmError(f"qemu exited with {self.proc.returncode}")
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                return s
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise VmError(f"cannot connect to {path}")
                time.sleep(0.1)

    def qmp_command(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.qmp_file.write(json.dumps(msg).encode() + b"\n")
        self.qmp_file.flush()
        while True:
            line = self.qmp_file.readline()
            if not line:
                raise VmError("QMP connection closed")
            reply = json.loads(line)
            if "event" in reply:
                continue
            if "error" in reply:
                raise VmError(f"QMP {name}: {reply['error']}")
            return reply.get("return")

    def screendump(self, path):
        ppm = path + ".ppm"
        self.qmp_command("screendump", filename=ppm)
        return ppm

    def press_button(self):
        # The virt machine's power-button request: a 100 ms high pulse on PL061 line 3.
        self.qmp_command("system_powerdown")

    def hold_button(self, seconds):
        """A long press: PL061 line 3 held high for `seconds`, then released."""
        pl061 = [c["name"] for c in self.qmp_command("qom-list", path="/machine/unattached")
                 if c["type"] == "child<pl061>"]
        if len(pl061) != 1:
            raise VmError(f"not one PL061 in the machine: {pl061}")
        for level in (1, 0):
            self.qtest_file.write(f"set_irq_in /machine/unattached/{pl061[0]} unnamed-gpio-in 3 "
                                  f"{level}\n".encode())
            self.qtest_file.flush()
            reply = self.qtest_file.readline().decode().strip()
            if reply != "OK":
                raise VmError(f"qtest set_irq_in: {reply!r}")
            if level:
                time.sleep(seconds)

    def kill(self):
        """A power cut: QEMU is killed, the guest flushes nothing."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self._close()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                self.qmp_command("quit")
            except (VmError, OSError):
                pass
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._close()

    def _close(self):
        for s in (self.qmp, self.agent, self.qtest):
            if s:
                s.close()
        self.qmp = self.agent = self.qtest = None

    # --- agent ------------------------------------------------------------------------------
    def _read_line(self, deadline):
        while b"\n" not in self.agent_buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise VmError("agent: time-out")
            if self.proc.poll() is not None:
                raise VmError(f"qemu exited with {self.proc.returncode}")
            self.agent.settimeout(min(left, 1.0))
            try:
                chunk = self.agent.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                raise VmError("agent: connection closed")
            self.agent_buf += chunk
        line, self.agent_buf = self.agent_buf.split(b"\n", 1)
        return line.decode()

    def wait_agent(self, timeout):
        """Waits for the agent's greeting of this boot (it says "ready BOOT_ID")."""
        deadline = time.monotonic() + timeout
        while True:
            line = self._read_line(deadline)
            if line.startswith("ready "):
                return line.split()[1]

    def run(self, command, timeout=60, check=True):
        """Runs `command` (bash) as root in the VM; returns (rc, output)."""
        self.seq += 1
        tag = str(self.seq)
        payload = base64.b64encode(command.encode()).decode()
        self.agent.sendall(f"{tag}\t{payload}\n".encode())
        deadline = time.monotonic() + timeout
        while True:
            line = self._read_line(deadline)
            parts = line.split("\t")
            if len(parts) == 3 and parts[0] == tag:
                rc, out = int(parts[1]), base64.b64decode(parts[2]).decode(errors="replace")
                if check and rc != 0:
                    raise VmError(f"agent: `{command}` exited with {rc}: {out.strip()}")
                return rc, out

    def send(self, command):
        """Runs `command` without waiting for its answer (reboot: the agent may not answer)."""
        self.seq += 1
        payload = base64.b64encode(command.encode()).decode()
        self.agent.sendall(f"{self.seq}\t{payload}\n".encode())

    def out(self, command, timeout=60, check=True):
        return self.run(command, timeout, check)[1]
