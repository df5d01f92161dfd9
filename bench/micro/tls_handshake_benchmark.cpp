// Micro-benchmark of the server's CPU in one TLS 1.3 handshake, full and resumed, with OpenSSL as wshub configures
// it, GnuTLS, and (in a binary of its own) BoringSSL, Bun's library (docs/architecture.md, "TLS"): each library's own
// cost, with no socket or event loop around it.
#include <benchmark/benchmark.h>

#include <string>

#include "tls_handshakes.hpp"

namespace wshub::bench {
namespace {

using HandshakesMaker = decltype(HandshakeLibrary::make);

void time_handshakes(benchmark::State& state, HandshakesMaker make, bool resume) {
  static Credentials const credentials = make_credentials();
  auto handshakes = make(credentials);
  if (resume) handshakes->handshake(false);  // the first ticket
  for (auto _ : state) state.SetIterationTime(handshakes->handshake(resume));
}

void register_library(std::string const& name, HandshakesMaker make) {
  for (bool const resume : {false, true}) {
    benchmark::RegisterBenchmark((name + (resume ? "/resumed" : "/full")).c_str(), time_handshakes, make, resume)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond)
        ->Iterations(4000);
  }
}

}  // namespace
}  // namespace wshub::bench

int main(int argc, char** argv) {
  for (auto const& library : wshub::bench::handshake_libraries()) {
    wshub::bench::register_library(library.name, library.make);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
