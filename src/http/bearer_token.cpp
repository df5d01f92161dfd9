// Bearer-token comparison without an early exit, so response time does not reveal how much of a guess was right.
#include "http/bearer_token.hpp"

#include <boost/beast/core/string.hpp>

namespace wshub {
namespace {

constexpr std::string_view scheme = "Bearer ";

// Every byte is compared whatever came before; only a length mismatch is known up front (and a length is no secret
// worth guarding: every guess could be of every length).
bool equal_in_constant_time(std::string_view given, std::string_view expected) {
  if (given.size() != expected.size()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < given.size(); ++i) {
    difference |= static_cast<unsigned char>(given[i] ^ expected[i]);
  }
  return difference == 0;
}

}  // namespace

bool bearer_token_matches(std::string_view authorization, std::string_view token) {
  if (authorization.size() < scheme.size() || !boost::beast::iequals(authorization.substr(0, scheme.size()), scheme)) {
    return false;
  }
  return equal_in_constant_time(authorization.substr(scheme.size()), token);
}

}  // namespace wshub
