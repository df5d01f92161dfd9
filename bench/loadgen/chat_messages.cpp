// JSON chat messages of one size, cut from a seeded stream of words, for the compression runs: text that compresses
// as people's messages do, not the same string over and over (which would compress unrealistically well).
#include "chat_messages.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <stdexcept>
#include <vector>

namespace loadgen {
namespace {

// Common English words, most frequent first; they are drawn with Zipf's law (rank r with weight 1/r), as words are
// in real text.
constexpr std::array kWords = {
    "the",       "I",        "you",         "to",         "a",        "and",      "it",      "is",       "that",
    "of",        "in",       "we",          "for",        "this",     "on",       "me",      "have",     "be",
    "but",       "not",      "with",        "so",         "just",     "do",       "are",     "what",     "can",
    "my",        "at",       "was",         "if",         "will",     "get",      "all",     "there",    "they",
    "know",      "like",     "now",         "yes",        "no",       "think",    "one",     "about",    "out",
    "up",        "time",     "go",          "good",       "how",      "here",     "see",     "would",    "when",
    "then",      "from",     "an",          "or",         "them",     "some",     "could",   "new",      "did",
    "want",      "more",     "today",       "thanks",     "need",     "work",     "back",    "meeting",  "should",
    "build",     "deploy",   "still",       "really",     "after",    "right",    "make",    "sure",     "ok",
    "let",       "look",     "tomorrow",    "please",     "fix",      "test",     "release", "server",   "again",
    "maybe",     "next",     "week",        "because",    "which",    "team",     "first",   "last",     "people",
    "lunch",     "branch",   "merge",       "review",     "issue",    "ticket",   "logs",    "error",    "works",
    "broken",    "update",   "client",      "users",      "traffic",  "latency",  "memory",  "cpu",      "graph",
    "alert",     "page",     "call",        "morning",    "night",    "later",    "soon",    "great",    "nice",
    "weird",     "slow",     "fast",        "done",       "already",  "never",    "always",  "other",    "same",
    "different", "problem",  "question",    "idea",       "plan",     "coffee",   "office",  "home",     "remote",
    "friday",    "monday",   "weekend",     "holiday",    "doc",      "link",     "screen",  "share",    "check",
    "try",       "run",      "ship",        "rollback",   "config",   "cache",    "queue",   "account",  "action",
    "address",   "agree",    "almost",      "answer",     "anyone",   "anything", "around",  "ask",      "available",
    "away",      "bad",      "before",      "best",       "better",   "between",  "big",     "bit",      "book",
    "both",      "bring",    "budget",      "bug",        "busy",     "calendar", "came",    "cannot",   "care",
    "case",      "change",   "changed",     "chart",      "clean",    "close",    "code",    "come",     "comment",
    "commit",    "company",  "complete",    "connection", "context",  "copy",     "cost",    "customer", "dashboard",
    "data",      "database", "date",        "day",        "deadline", "decide",   "demo",    "design",   "detail",
    "disk",      "does",     "down",        "draft",      "during",   "early",    "easy",    "either",   "else",
    "email",     "end",      "enough",      "even",       "every",    "everyone", "example", "expect",   "explain",
    "feature",   "feel",     "few",         "file",       "final",    "find",     "fine",    "finish",   "flaky",
    "follow",    "found",    "free",        "full",       "give",     "glad",     "going",   "got",      "group",
    "guess",     "happen",   "happy",       "hard",       "hear",     "help",     "high",    "hope",     "hour",
    "important", "instead",  "interesting", "job",        "keep",     "kind",     "late",    "least",    "leave",
    "less",      "limit",    "list",        "little",     "long",     "lost",     "lot",     "low",      "mean",
    "message",   "metrics",  "minute",      "miss",       "mobile",   "moment",   "much",    "must",     "name",
    "network",   "notes",    "number",      "often",      "old",      "only",     "open",    "order",    "own",
    "part",      "password", "pending",     "perhaps",    "phone",    "picture",  "point",   "possible", "pretty",
    "price",     "probably", "product",     "progress",   "pull",     "push",     "quick",   "quite",    "rather",
    "read",      "ready",    "reason",      "remember",   "report",   "request",  "restart", "result",   "saw",
    "say",       "schedule", "second",      "send",       "sent",     "set",      "setup",   "short",    "show",
    "sign",      "since",    "small",       "something",  "sorry",    "sound",    "start",   "status",   "step",
    "stop",      "story",    "support",     "system",     "take",     "talk",     "task",    "tell",     "than",
    "thing",     "though",   "thought",     "through",    "timeout",  "together", "told",    "took",     "total",
    "true",      "turn",     "under",       "until",      "use",      "version",  "video",   "wait",     "way",
    "went",      "while",    "whole",       "why",        "without",  "wonder",   "word",    "worth",    "write",
    "wrong",     "year",     "yet",         "yesterday",  "zone",
};
constexpr std::array kPunctuation = {". ", ", ", "? ", "! "};
constexpr std::array kRooms = {"general", "random", "dev", "ops", "support"};
constexpr std::uint64_t kUsers = 500;

// SplitMix64: a good 64-bit mix, the same on every platform (std's distributions are not).
std::uint64_t mix(std::uint64_t value) {
  value += 0x9e3779b97f4a7c15;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9;
  value = (value ^ (value >> 27)) * 0x94d049bb133111eb;
  return value ^ (value >> 31);
}

// A number in [0, 1) from 64 random bits.
double unit_interval(std::uint64_t bits) {
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

std::vector<double> zipf_cumulative_weights() {
  std::vector<double> cumulative;
  double total = 0;
  for (std::size_t rank = 1; rank <= kWords.size(); ++rank)
    cumulative.push_back(total += 1.0 / static_cast<double>(rank));
  for (double& weight : cumulative) weight /= total;
  return cumulative;
}

std::string word_stream(std::uint64_t seed, std::size_t bytes) {
  const std::vector<double> cumulative = zipf_cumulative_weights();
  std::string words;
  words.reserve(bytes + 32);
  for (std::uint64_t state = seed; words.size() < bytes;) {
    const double draw = unit_interval(mix(state++));
    const auto rank = static_cast<std::size_t>(std::ranges::lower_bound(cumulative, draw) - cumulative.begin());
    words += kWords[std::min(rank, kWords.size() - 1)];
    // About one word in eight ends a phrase.
    const std::uint64_t ending = mix(state++);
    words += ending % 8 == 0 ? kPunctuation[(ending >> 8) % kPunctuation.size()] : " ";
  }
  return words;
}

// An ISO 8601 time for message `sequence`: a day's messages, one every 137 ms from midnight.
std::string sent_at(std::uint64_t sequence) {
  const std::uint64_t ms = sequence * 137 % (24 * 3600 * 1000);
  char text[32];
  std::snprintf(text, sizeof text, "2026-12-03T%02u:%02u:%02u.%03uZ", static_cast<unsigned>(ms / 3600000),
                static_cast<unsigned>(ms / 60000 % 60), static_cast<unsigned>(ms / 1000 % 60),
                static_cast<unsigned>(ms % 1000));
  return text;
}

}  // namespace

ChatMessages::ChatMessages(std::size_t size, std::uint64_t seed, std::size_t stream_bytes)
    : words_(word_stream(seed, stream_bytes)), size_(size), seed_(seed) {
  if (size < kMinChatMessageBytes) {
    throw std::invalid_argument("chat messages need at least " + std::to_string(kMinChatMessageBytes) + " bytes");
  }
  if (words_.size() < 2 * size) throw std::invalid_argument("the word stream is too short for messages this long");
}

std::string_view ChatMessages::message(std::uint64_t sequence) {
  const std::uint64_t draw = mix(seed_ ^ mix(sequence));
  message_ = "{\"type\":\"message\",\"room\":\"";
  message_ += kRooms[draw % kRooms.size()];
  message_ += "\",\"user\":\"user-";
  message_ += std::to_string((draw >> 8) % kUsers);
  message_ += "\",\"seq\":";
  message_ += std::to_string(sequence);
  message_ += ",\"sentAt\":\"";
  message_ += sent_at(sequence);
  message_ += "\"";
  message_ += ",\"text\":\"";
  const std::size_t text_bytes = size_ - message_.size() - 2;
  // Start at a word: just after a space somewhere in the stream.
  std::size_t start = words_.find(' ', (draw >> 16) % (words_.size() - 2 * size_)) + 1;
  message_ += std::string_view(words_).substr(start, text_bytes);
  message_ += "\"}";
  return message_;
}

}  // namespace loadgen
