"""A real haproxy (Debian's) in front of wshub nodes: its config written by the test, run in the foreground."""
import re
import socket
import subprocess

from conftest import LoggedProcess, free_port, wait_until

# The README's example ("Running several nodes") with the test's short health-check interval, so that a draining
# node leaves the rotation, and a restarted one joins it, within a tenth of a second. The check's answer may take
# longer than that on a loaded machine (a sanitizer build): without "timeout check" it would have to come within the
# interval, and a healthy node that answered late would be marked down (all of them at once: 503 for everyone).
CONFIG = """\
global
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 75s
  timeout server 75s
  timeout tunnel 1h
frontend hub
  bind 127.0.0.1:{port}{bind_options}
  default_backend nodes
backend nodes
  balance leastconn
  # A node whose drain ends before the next check (no clients left) refuses connections: try another node.
  retries 3
  option redispatch 1
  option httpchk GET /readyz
  http-check expect status 200
  timeout check 2s
  # Test only: names the node that took a connection, so the test knows whose shutdown closed it.
  http-response set-header X-Wshub-Node %[srv_name]
  default-server inter 100ms fall 1 rise 1
{servers}
"""


class Haproxy(LoggedProcess):
    """haproxy -db: stays in the foreground and prints each server's state change ("Server nodes/n0 is DOWN")."""

    def __init__(self, config_path, nodes, tls_pem=None):
        """nodes: {server name: port}; tls_pem: a certificate and its key in one PEM file, for haproxy to terminate
        TLS with (the README's TLS example) in front of plain nodes."""
        self.port = free_port()
        servers = "\n".join(f"  server {name} 127.0.0.1:{port} check" for name, port in nodes.items())
        bind_options = f" ssl crt {tls_pem} alpn http/1.1" if tls_pem else ""
        config_path.write_text(CONFIG.format(port=self.port, bind_options=bind_options, servers=servers))
        check = subprocess.run(["haproxy", "-c", "-q", "-f", str(config_path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        super().__init__(["haproxy", "-db", "-f", str(config_path)])
        wait_until(self.accepts, what=f"haproxy on port {self.port}")

    def accepts(self):
        assert self.process.poll() is None, "haproxy exited:\n" + "\n".join(self.lines)
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=5).close()
            return True
        except OSError:
            return False

    @staticmethod
    def _state_line(server, state):
        # Each change is printed twice: as a [WARNING] and as a plain log line; count the warnings.
        return re.compile(rf"\[WARNING\].* Server nodes/{re.escape(server)} is {state}\b")

    def state_changes(self, server, state):
        """How many times haproxy has marked `server` UP or DOWN so far (a slow check may do so at any time)."""
        pattern = self._state_line(server, state)
        return sum(1 for line in list(self.lines) if pattern.search(line))

    def wait_for_state(self, server, state, count=1, timeout=10):
        """Waits for haproxy to have marked `server` UP or DOWN `count` times since it started."""
        return self.wait_for_log(self._state_line(server, state), count, timeout)

    def warnings(self):
        """What haproxy said about the servers (state changes) and itself."""
        return [line for line in self.lines if line.startswith(("[WARNING]", "[ALERT]"))]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.wait_stderr_closed()
