#!/usr/bin/python3
# Runs wshub-loadgen's soak scenario against the release build of wshub, each pinned to a core of its own (make soak).
"""Usage: /usr/bin/python3 bench/soak.py [--seconds 600] [--warmup 30] [--concurrency 32]

Starts build/release/wshub with two I/O threads on core 0 and the load generator on core 1, as bench/run.py does,
prints the load generator's table and RESULT line, stops the server, and exits 1 if a check failed or the server
did not exit cleanly. The server's log is in build/bench-logs/wshub-soak.log.
"""
import argparse
import subprocess
import sys

from harness.measure import check_loadgen, loadgen_command
from harness.servers import ServerSpec, start_server, stop_server

# Two I/O threads, so that broadcasts cross threads as they do in production; both share the server's one core.
SERVER = ServerSpec("wshub", ["build/release/wshub", "--threads", "2"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=600, help="length of the soak after the warm-up")
    parser.add_argument("--warmup", type=float, default=30, help="seconds of load before the first RSS reading")
    parser.add_argument("--concurrency", type=int, default=32, help="clients connected at once")
    options = parser.parse_args()
    check_loadgen("soak.py")

    process, port = start_server(SERVER, "wshub-soak")
    try:
        command = loadgen_command("soak", "--port", port, "--server-pid", process.pid, "--label", SERVER.name,
                                  "--seconds", options.seconds, "--warmup", options.warmup,
                                  "--concurrency", options.concurrency)
        status = subprocess.run(command).returncode
    finally:
        stop_server(process)
    if process.returncode != 0:
        print(f"soak.py: wshub exited with status {process.returncode}", file=sys.stderr)
    return 1 if status != 0 or process.returncode != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
