"""A throw-away Redis Sentinel setup (a primary, a replica, three sentinels) for end-to-end tests of failover."""
import json
import pathlib
import signal
import subprocess
import time

import pytest

from conftest import free_port, wait_until

HOST = "127.0.0.1"
SENTINEL_COUNT = 3
QUORUM = 2
# A silent primary is taken for down after DOWN_AFTER_MS. Not 1000: sentinels ping and reconnect once a second, so
# right after a failover the first ping to the new primary can come just over 1 s late, and the sentinels would
# sometimes fail over again from a healthy primary (2 runs in 40 with 1000; none in 75 with 1500).
DOWN_AFTER_MS = 1500
# Bounds one failover; twice it is the pause before a sentinel tries again after a failover that did not happen
# (a split vote, say).
FAILOVER_TIMEOUT_MS = 3000


class SentinelSetup:
    """One primary and one replica (redis-server, persistence off) watched by three redis-sentinels under
    `master_name`; logs and the sentinels' config files (which they rewrite) go to `directory`."""

    def __init__(self, directory, master_name="wshub-primary"):
        self.directory = pathlib.Path(directory)
        self.master_name = master_name
        ports = distinct_free_ports(2 + SENTINEL_COUNT)
        self.first_primary_port, self.first_replica_port = ports[:2]
        self.sentinel_ports = ports[2:]
        self.processes = {}  # port -> subprocess.Popen, servers and sentinels alike
        self.killed_at = None

    @property
    def sentinels(self):
        """The sentinels' addresses, "127.0.0.1:PORT" each."""
        return [f"{HOST}:{port}" for port in self.sentinel_ports]

    @property
    def sentinels_flag(self):
        """The same, comma-joined, as --redis-sentinels takes them."""
        return ",".join(self.sentinels)

    def start(self):
        """Starts everything; returns once the replica is in sync and every sentinel knows it and the others (a
        failover needs both: sentinels learn of replicas and of each other only through the primary)."""
        self._start_server(self.first_primary_port)
        self._start_server(self.first_replica_port, replica_of=self.first_primary_port)
        self.wait_replica_in_sync(self.first_replica_port, self.first_primary_port)
        for port in self.sentinel_ports:
            self._start_sentinel(port)
        wait_until(self._sentinels_know_each_other, timeout=30, what="the sentinels to discover each other")
        self.wait_known_replica(self.first_replica_port)
        return self

    def _start_server(self, port, replica_of=None):
        replication = ["--replicaof", HOST, str(replica_of)] if replica_of else []
        self._spawn(port, ["redis-server", "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no",
                           "--dir", str(self.directory), "--repl-diskless-sync-delay", "0", *replication])

    def _start_sentinel(self, port):
        config = self.directory / f"sentinel-{port}.conf"
        name = self.master_name
        config.write_text(f"port {port}\nbind {HOST}\ndir {self.directory}\n"
                          f"sentinel resolve-hostnames no\n"
                          f"sentinel monitor {name} {HOST} {self.first_primary_port} {QUORUM}\n"
                          f"sentinel down-after-milliseconds {name} {DOWN_AFTER_MS}\n"
                          f"sentinel failover-timeout {name} {FAILOVER_TIMEOUT_MS}\n"
                          f"sentinel parallel-syncs {name} 1\n")
        self._spawn(port, ["redis-sentinel", str(config)])

    def _spawn(self, port, command):
        with open(self.directory / f"{command[0]}-{port}.log", "ab") as log:
            self.processes[port] = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        wait_until(lambda: self.answers(port), what=f"{command[0]} on port {port}")

    def command(self, port, *args):
        """One command through redis-cli to the server or sentinel on `port`; its output as text."""
        result = subprocess.run(["redis-cli", "-h", HOST, "-p", str(port), *map(str, args)], capture_output=True,
                                text=True, timeout=10, check=True)
        return result.stdout.strip()

    def query(self, port, *args):
        """One command, its reply parsed (redis-cli --json: arrays become lists, RESP3 maps dicts)."""
        return json.loads(self.command(port, "--json", *args))

    def answers(self, port):
        try:
            return self.command(port, "PING") == "PONG"
        except subprocess.SubprocessError:
            return False

    def _ask_sentinel(self, port, *args):
        """A sentinel's reply to SENTINEL args, or None if it does not answer."""
        try:
            return self.query(port, "SENTINEL", *args)
        except (subprocess.SubprocessError, ValueError):
            return None

    def _sentinels_know_each_other(self):
        return all(len(self._ask_sentinel(port, "sentinels", self.master_name) or []) == SENTINEL_COUNT - 1
                   for port in self.sentinel_ports)

    def _primary_named_by(self, sentinel_port):
        address = self._ask_sentinel(sentinel_port, "get-master-addr-by-name", self.master_name)
        return int(address[1]) if address else None

    def _majority_primary(self):
        """The port a majority of the sentinels name as the primary, or None while they disagree."""
        named = [self._primary_named_by(port) for port in self.sentinel_ports]
        port = max(set(named), key=named.count)
        return port if port is not None and named.count(port) >= QUORUM else None

    def primary_port(self):
        """The primary's port, as a majority of the sentinels name it (right after a failover one of them may
        still name the old primary for a moment)."""
        port = self._majority_primary()
        if port is None:
            raise AssertionError("the sentinels do not agree on a primary")
        return port

    def role(self, port):
        """ROLE's first word, "master" or "slave"; None if nothing answers on `port`."""
        try:
            return self.query(port, "ROLE")[0]
        except (subprocess.SubprocessError, ValueError):
            return None

    def kill_primary(self):
        """SIGKILLs the current primary, as a lost machine would vanish; returns its port."""
        port = self.primary_port()
        self._kill(port)
        self.killed_at = time.monotonic()
        return port

    def wait_for_failover(self, old_port, timeout=30):
        """Waits until a majority of sentinels name a new primary that answers ROLE as master; returns its port and
        the seconds since kill_primary."""
        new_port = None

        def failed_over():
            nonlocal new_port
            new_port = self._majority_primary()
            return new_port not in (None, old_port) and self.role(new_port) == "master"

        wait_until(failed_over, timeout=timeout, what=f"the sentinels to fail over from port {old_port}")
        return new_port, time.monotonic() - self.killed_at

    def pause(self, port):
        """SIGSTOP of the server on `port`: a replica stops taking the primary's writes, its connections open."""
        self.processes[port].send_signal(signal.SIGSTOP)

    def resume(self, port):
        self.processes[port].send_signal(signal.SIGCONT)

    def restart(self, port):
        """Starts the killed server on `port` again, as a replica of the current primary (started plain, it would
        be an empty primary until the sentinels turn it into a replica, some 11 s later); returns once it is in sync
        and every sentinel counts it as a healthy replica, ready to be failed over to."""
        primary = self.primary_port()
        self._start_server(port, replica_of=primary)
        self.wait_replica_in_sync(port, primary)
        self.wait_known_replica(port)

    def wait_replica_in_sync(self, replica_port, primary_port, timeout=30):
        """Waits until the replica's link to the primary is up and the primary counts it as online."""
        def in_sync():
            replica = self.command(replica_port, "INFO", "replication")
            return (f"master_port:{primary_port}" in replica and "master_link_status:up" in replica
                    and f"port={replica_port},state=online" in self.command(primary_port, "INFO", "replication"))

        wait_until(in_sync, timeout=timeout, what=f"the replica on port {replica_port} to sync with {primary_port}")

    def wait_known_replica(self, replica_port, timeout=30):
        """Waits until every sentinel lists the replica as up ("slave" flags alone) and linked to its primary."""
        def healthy(entry):
            return (int(entry["port"]) == replica_port and entry["flags"] == "slave"
                    and entry["master-link-status"] == "ok")

        def known_everywhere():
            return all(any(healthy(entry) for entry in self._ask_sentinel(port, "replicas", self.master_name) or [])
                       for port in self.sentinel_ports)

        wait_until(known_everywhere, timeout=timeout, what=f"every sentinel to know the replica on {replica_port}")

    def _kill(self, port):
        process = self.processes.pop(port, None)
        if process:
            process.kill()
            process.wait()

    def stop(self):
        """Kills every process the setup started (for a fixture's teardown)."""
        for port in list(self.processes):
            self._kill(port)


def distinct_free_ports(count):
    ports = set()
    while len(ports) < count:
        ports.add(free_port())
    return sorted(ports)


@pytest.fixture
def redis_sentinel(tmp_path):
    """A started SentinelSetup in the test's tmp_path; everything is killed afterwards."""
    setup = SentinelSetup(tmp_path)
    try:
        yield setup.start()
    finally:
        setup.stop()
