#!/usr/bin/python3
# Runs wshub-loadgen against wshub and its peers and writes the results: the command line over bench/harness/.
"""Usage: /usr/bin/python3 bench/run.py --quick | --full [--rounds N] [--servers wshub,node]
       [--only cluster|sends|compression|tls] [--output FILE] [--baseline BINARY]

--full rewrites the results section of docs/benchmarks.md and the plots in docs/bench/; --quick writes
build/bench-quick.md (and its plots in build/bench-quick/) unless --output says otherwise. --only cluster runs only
the cluster cases (one wshub node against three over Redis), --only sends only the targeted sends beside broadcasts
(wshub on one node and on three), --only compression only the permessage-deflate cases (every server with
WS_PER_MESSAGE_DEFLATE=true; --full runs them too, --quick only when asked), --only tls only the TLS cases (wshub and
Bun on one certificate, beside the same cases in plain; likewise), and each rewrites only its part of the document. Needs the release build (cmake --preset release && cmake --build build/release), redis-server for the
cluster cases and the targeted sends and, for the peers, bench/peers/install.sh. --baseline adds another wshub build
(say, main's before a change) as the server "wshub-baseline", taking turns with the others in every round: the way
to show a change costs nothing.
"""
import argparse
import dataclasses
import os
import shutil
import sys
import time
from pathlib import Path

from harness.cases import FULL, QUICK, TLS_SERVERS, tls_servers
from harness.certificate import ensure_certificate
from harness.cluster import run_cluster, run_sends
from harness.document import (CLUSTER_BEGIN, CLUSTER_END, COMPRESSION_BEGIN, COMPRESSION_END, SENDS_BEGIN, SENDS_END,
                              TLS_BEGIN, TLS_END, cluster_part, compression_part, results_section, sends_part, tls_part,
                              write_document, write_part)
from harness.measure import check_loadgen, run_all
from harness.plots import draw_plots
from harness.servers import LOADGEN_CPUS, SERVER_CPUS, SERVERS, ServerSpec, available_servers, with_compression


def thread_comparison(mode):
    command = SERVERS["wshub"][:1]
    variants = [
        ServerSpec("wshub-1-thread", [*command, "--threads", "1"], SERVER_CPUS),
        ServerSpec("wshub-2-threads", [*command, "--threads", "2"], f"{SERVER_CPUS},{LOADGEN_CPUS}"),
    ]
    echo = next(c for c in mode.cases if c.name == "echo")
    return run_all(variants, [echo], mode)


def run_compression(servers, mode):
    """The compression cases, every server with permessage-deflate on, taking turns within each round."""
    return run_all([with_compression(spec) for spec in servers], mode.compression_cases, mode)


def run_tls(servers, mode):
    """The TLS cases on the servers that speak TLS, taking turns within each round."""
    ensure_certificate()
    return run_all([spec for spec in servers if spec.name in TLS_SERVERS], mode.tls_cases, mode)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--quick", action="store_const", const=QUICK, dest="mode", help="one short round")
    size.add_argument("--full", action="store_const", const=FULL, dest="mode", help="every case, three rounds")
    parser.add_argument("--rounds", type=int, help="override the number of rounds")
    parser.add_argument("--servers", default=",".join(SERVERS), help="comma-separated subset of " + ", ".join(SERVERS))
    parser.add_argument("--only", choices=["cluster", "sends", "compression", "tls"],
                        help="run only this group and rewrite only its part of the document")
    parser.add_argument("--output", type=Path, help="the Markdown file to write")
    parser.add_argument("--baseline", type=Path, help="another wshub binary to run beside build/release/wshub")
    options = parser.parse_args()
    mode = options.mode
    if options.rounds:
        mode = dataclasses.replace(mode, rounds=options.rounds)
    document = (options.output or mode.output).resolve()
    check_loadgen("run.py")
    with_cluster = mode.with_cluster or options.only == "cluster"
    # The targeted sends are wshub's alone: they run whenever wshub does.
    with_sends = options.only == "sends" or (options.only is None and "wshub" in options.servers.split(","))
    if (with_cluster or with_sends) and shutil.which("redis-server") is None:
        sys.exit("run.py: the cluster cases and the targeted sends need redis-server: apt-get install redis-server")

    started = time.monotonic()
    load_at_start = os.getloadavg()[0]
    if load_at_start > 0.5:
        print(f"warning: load average {load_at_start:.2f}: other work on the machine will blur the figures", flush=True)
    if options.only == "cluster":
        part = cluster_part(mode, run_cluster(mode), load_at_start)
        write_part(document, "\n".join(part), CLUSTER_BEGIN, CLUSTER_END)
        print(f"wrote the cluster part of {document} in {time.monotonic() - started:.0f} s")
        return
    if options.only == "sends":
        write_part(document, "\n".join(sends_part(mode, run_sends(mode), load_at_start)), SENDS_BEGIN, SENDS_END)
        print(f"wrote the targeted sends part of {document} in {time.monotonic() - started:.0f} s")
        return
    servers = available_servers(options.servers.split(","))
    if options.baseline:
        servers.append(ServerSpec("wshub-baseline", [str(options.baseline.resolve()), *SERVERS["wshub"][1:]]))
    names = [server.name for server in servers]
    if options.only == "compression":
        part = compression_part(mode, names, run_compression(servers, mode), load_at_start)
        write_part(document, "\n".join(part), COMPRESSION_BEGIN, COMPRESSION_END)
        print(f"wrote the compression part of {document} in {time.monotonic() - started:.0f} s")
        return
    if options.only == "tls":
        part = tls_part(mode, tls_servers(names), run_tls(servers, mode), load_at_start)
        write_part(document, "\n".join(part), TLS_BEGIN, TLS_END)
        print(f"wrote the TLS part of {document} in {time.monotonic() - started:.0f} s")
        return
    outcomes = run_all(servers, mode.cases, mode)
    with_wshub = mode.compare_threads and any(s.name == "wshub" for s in servers)
    thread_outcomes = thread_comparison(mode) if with_wshub else []
    send_outcomes = run_sends(mode) if with_sends else []
    cluster_outcomes = run_cluster(mode) if with_cluster else []
    compression_outcomes = run_compression(servers, mode) if mode.with_compression else []
    tls_outcomes = run_tls(servers, mode) if mode.with_tls else []
    plots = draw_plots(mode, names, outcomes, document)
    section = results_section(mode, names, outcomes, thread_outcomes, cluster_outcomes, send_outcomes,
                              compression_outcomes, tls_outcomes, plots, load_at_start)
    write_document(document, section)
    print(f"wrote {document} in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
