// Micro-benchmark of permessage-deflate's codec (docs/benchmarks.md, "Compression codec"): time per message and
// compressed size at each zlib level and memLevel, on JSON chat messages of about 256 bytes and on 64 KiB ones, each
// on its own or with a connection's history (context takeover) at each window and memLevel.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/message_deflater.hpp"
#include "protocol/message_inflater.hpp"

namespace wshub {
namespace {

// Common English words; drawn with weight 1/rank (Zipf's law), they read like chat to a compressor.
constexpr std::string_view words[] = {
    "the",     "to",     "and",     "a",        "I",     "you",    "it",       "of",      "is",      "that",
    "in",      "for",    "on",      "we",       "this",  "have",   "be",       "with",    "not",     "are",
    "just",    "do",     "so",      "at",       "can",   "but",    "what",     "was",     "my",      "if",
    "will",    "all",    "me",      "get",      "they",  "about",  "like",     "there",   "one",     "now",
    "up",      "out",    "know",    "think",    "time",  "would",  "good",     "how",     "see",     "your",
    "when",    "from",   "meeting", "today",    "build", "deploy", "review",   "merge",   "branch",  "test",
    "failing", "fixed",  "thanks",  "sure",     "later", "lunch",  "tomorrow", "morning", "server",  "client",
    "release", "issue",  "update",  "please",   "check", "again",  "maybe",    "logs",    "error",   "works",
    "great",   "sorry",  "quick",   "question", "team",  "call",   "shipped",  "coffee",  "weekend", "monday",
    "friday",  "ticket", "done",    "yes",      "no",    "ok",     "back",     "soon"};

class ChatCorpus {
 public:
  explicit ChatCorpus(unsigned seed) : generator_(seed) {
    std::vector<double> weights;
    for (std::size_t rank = 1; rank <= std::size(words); ++rank) weights.push_back(1.0 / static_cast<double>(rank));
    word_ = std::discrete_distribution<std::size_t>(weights.begin(), weights.end());
  }

  // {"type":"chat",...} of about target_bytes.
  std::string message(std::size_t target_bytes) {
    std::string json = R"({"type":"chat","room":"general","user":"user)";
    json += std::to_string(user_(generator_));
    json += R"(","sent_at":"2026-12-03T04:)";
    json += std::to_string(10 + minute_(generator_));
    json += R"(:00Z","text":")";
    while (json.size() + 2 < target_bytes) {
      json += words[word_(generator_)];
      json += ' ';
    }
    json.back() = '"';
    json += '}';
    return json;
  }

  // A page of chat history: a JSON array of messages, about target_bytes in all.
  std::string history(std::size_t target_bytes) {
    std::string json = "[";
    while (json.size() < target_bytes) {
      if (json.size() > 1) json += ',';
      json += message(256);
    }
    json += ']';
    return json;
  }

 private:
  std::mt19937 generator_;
  std::discrete_distribution<std::size_t> word_;
  std::uniform_int_distribution<int> user_{1000, 9999};
  std::uniform_int_distribution<int> minute_{0, 49};
};

constexpr std::size_t chat_bytes = 256;
constexpr std::size_t history_bytes = 64 * 1024;

// Distinct messages, so that neither the CPU's caches nor the branch predictor see one message over and over.
// Size 0 is the empty message: what each message costs before its first byte (deflateReset, the flush).
std::vector<std::string> const& samples(std::size_t size) {
  static std::vector<std::string> const empty(1);
  static std::vector<std::string> const chat = [] {
    ChatCorpus corpus(1);
    std::vector<std::string> messages;
    for (int each = 0; each < 256; ++each) messages.push_back(corpus.message(chat_bytes));
    return messages;
  }();
  static std::vector<std::string> const history = [] {
    ChatCorpus corpus(2);
    std::vector<std::string> messages;
    for (int each = 0; each < 16; ++each) messages.push_back(corpus.history(history_bytes));
    return messages;
  }();
  if (size == 0) return empty;
  return size == chat_bytes ? chat : history;
}

// Arguments: message size, zlib level, memLevel.
void compress_messages(benchmark::State& state) {
  auto const& messages = samples(static_cast<std::size_t>(state.range(0)));
  MessageDeflater deflater(static_cast<int>(state.range(1)), 15, static_cast<int>(state.range(2)));
  std::string out;
  std::size_t next = 0;
  std::size_t payload_bytes = 0;
  std::size_t compressed_bytes = 0;
  for (auto _ : state) {
    std::string const& message = messages[next++ % messages.size()];
    out.clear();
    deflater.compress(message, out);
    benchmark::DoNotOptimize(out.data());
    payload_bytes += message.size();
    compressed_bytes += out.size();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(payload_bytes));
  if (payload_bytes != 0) {
    state.counters["ratio"] = static_cast<double>(compressed_bytes) / static_cast<double>(payload_bytes);
  }
}
BENCHMARK(compress_messages)
    ->ArgNames({"bytes", "level", "memLevel"})
    ->ArgsProduct({{0, chat_bytes, history_bytes}, {1, 6, 9}, {1, 2, 3, 4, 5, 6, 7, 8, 9}});

// A busy connection's echoes with context takeover: one deflater keeps its history from message to message.
// Arguments: window bits, memLevel (level 6, the default); ratio is what a client that keeps its window is sent.
void compress_with_history(benchmark::State& state) {
  auto const& messages = samples(chat_bytes);
  MessageDeflater deflater(6, static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  std::string out;
  std::size_t next = 0;
  std::size_t payload_bytes = 0;
  std::size_t compressed_bytes = 0;
  for (auto _ : state) {
    std::string const& message = messages[next++ % messages.size()];
    out.clear();
    deflater.compress_continuing(message, out);
    benchmark::DoNotOptimize(out.data());
    payload_bytes += message.size();
    compressed_bytes += out.size();
  }
  state.counters["ratio"] = static_cast<double>(compressed_bytes) / static_cast<double>(payload_bytes);
}
BENCHMARK(compress_with_history)
    ->ArgNames({"windowBits", "memLevel"})
    ->ArgsProduct({{9, 10, 11, 12, 13, 15}, {4, 5, 6, 8}});

// The other direction, for scale: one pooled inflater per message, as a connection borrows one.
void inflate_messages(benchmark::State& state) {
  auto const& messages = samples(static_cast<std::size_t>(state.range(0)));
  std::vector<std::string> compressed(messages.size());
  for (std::size_t each = 0; each < messages.size(); ++each)
    thread_deflater(6, 15).compress(messages[each], compressed[each]);
  std::string out;
  std::size_t next = 0;
  for (auto _ : state) {
    std::size_t const index = next++ % messages.size();
    auto inflater = InflaterPool::this_thread().acquire();
    out.clear();
    inflater->feed(compressed[index], out, history_bytes * 2);
    inflater->finish(out, history_bytes * 2);
    InflaterPool::this_thread().release(std::move(inflater));
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(inflate_messages)->ArgName("bytes")->Arg(chat_bytes)->Arg(history_bytes);

}  // namespace
}  // namespace wshub

BENCHMARK_MAIN();
