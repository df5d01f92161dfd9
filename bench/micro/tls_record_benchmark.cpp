// Micro-benchmark of the TLS libraries Debian offers (OpenSSL, wolfSSL, GnuTLS), and of wshub's own records on
// OpenSSL's sessions (docs/architecture.md, "TLS"): the CPU one record costs, across 1 and 10,000 connections (cache
// misses included), and the heap one idle server connection keeps.
#include <benchmark/benchmark.h>

#include <malloc.h>

#include <string>

#include "tls_sessions.hpp"

namespace wshub::bench {
namespace {

using SessionsMaker = std::unique_ptr<ServerSessions> (*)(Credentials const&, std::size_t);

std::size_t heap_in_use() {
  return mallinfo2().uordblks;
}

// Writes one record of range(1) bytes per iteration, to each of range(0) connections in turn.
void write_records(benchmark::State& state, SessionsMaker make) {
  static Credentials const credentials = make_credentials();
  auto const count = static_cast<std::size_t>(state.range(0));
  std::string const payload(static_cast<std::size_t>(state.range(1)), 'x');
  std::size_t const heap_before = heap_in_use();
  auto sessions = make(credentials, count);
  // Over many connections, so that the library's own start-up allocations do not count.
  if (count >= 1000) {
    state.counters["heap_bytes_per_connection"] =
        static_cast<double>(heap_in_use() - heap_before) / static_cast<double>(count);
  }
  std::size_t next = 0;
  for (auto _ : state) {
    sessions->write(next, payload);
    next = next + 1 == count ? 0 : next + 1;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(1));
}

// 40 bytes is a small chat message in its frame, 16 KiB fills a record; one connection, or 10,000 whose state no
// cache holds. The iterations are fixed, so that 10,000 handshakes are made once per repetition, not per probe.
void register_library(std::string const& name, SessionsMaker make) {
  benchmark::RegisterBenchmark((name + "/40").c_str(), write_records, make)
      ->Args({1, 40})
      ->Args({10000, 40})
      ->Iterations(2'000'000);
  benchmark::RegisterBenchmark((name + "/16384").c_str(), write_records, make)
      ->Args({1, 16384})
      ->Args({10000, 16384})
      ->Iterations(20'000);
}

}  // namespace
}  // namespace wshub::bench

int main(int argc, char** argv) {
  wshub::bench::register_library("openssl", wshub::bench::openssl_sessions);
  wshub::bench::register_library("wolfssl", wshub::bench::wolfssl_sessions);
  wshub::bench::register_library("gnutls", wshub::bench::gnutls_sessions);
  wshub::bench::register_library("wshub", wshub::bench::wshub_sessions);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
