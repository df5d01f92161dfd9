// Chooses a permessage-deflate offer (RFC 7692 section 7) from a request's Sec-WebSocket-Extensions fields.
#include "protocol/deflate_negotiation.hpp"

#include <algorithm>
#include <utility>

namespace wshub {
namespace {

constexpr std::string_view extension_name = "permessage-deflate";
constexpr std::string_view server_no_context_takeover = "server_no_context_takeover";
constexpr std::string_view client_no_context_takeover = "client_no_context_takeover";
constexpr std::string_view server_max_window_bits = "server_max_window_bits";
constexpr std::string_view client_max_window_bits = "client_max_window_bits";
constexpr std::string_view token_symbols = "!#$%&'*+-.^_`|~";
constexpr std::uint8_t default_window_bits = 15;
// RFC 7692 allows 8, but zlib's raw DEFLATE cannot compress with a 256-byte window (it quietly uses 512).
constexpr std::uint8_t smallest_server_window_bits = 9;

// RFC 9110 section 5.6.2.
bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         token_symbols.find(c) != std::string_view::npos;
}

bool is_whitespace(char c) {
  return c == ' ' || c == '\t';
}

// RFC 9110 section 5.6.4: what may stand in a quoted-string unescaped (qdtext) and after a backslash.
bool is_quoted_text(char c) {
  auto const byte = static_cast<unsigned char>(c);
  return c == '\t' || (byte >= 0x20 && byte != 0x7F && c != '"' && c != '\\');
}

bool is_escapable(char c) {
  auto const byte = static_cast<unsigned char>(c);
  return c == '\t' || (byte >= 0x20 && byte != 0x7F);
}

// RFC 7692 sections 7.1.2.1 and 7.1.2.2: 8 to 15 in decimal, without leading zeros or a sign.
std::optional<std::uint8_t> window_bits(std::string_view value) {
  if (value.size() == 1 && (value[0] == '8' || value[0] == '9')) return static_cast<std::uint8_t>(value[0] - '0');
  if (value.size() == 2 && value[0] == '1' && value[1] >= '0' && value[1] <= '5') {
    return static_cast<std::uint8_t>(10 + value[1] - '0');
  }
  return std::nullopt;
}

// What one permessage-deflate offer asks, read a parameter at a time.
class DeflateOffer {
 public:
  void add(std::string_view name, std::optional<std::string_view> value) {
    if (name == server_no_context_takeover) {
      take_flag(server_no_context_takeover_, value);
    } else if (name == client_no_context_takeover) {
      take_flag(client_no_context_takeover_, value);
    } else if (name == server_max_window_bits) {
      take_server_window(value);
    } else if (name == client_max_window_bits) {
      take_client_window(value);
    } else {
      declined_ = true;
    }
  }

  bool declined() const { return declined_; }

  AcceptedDeflate accept(DeflateNegotiation const& negotiation) const {
    AcceptedDeflate accepted;
    auto& parameters = accepted.parameters;
    parameters.server_no_context_takeover = server_no_context_takeover_ || negotiation.server_no_context_takeover;
    parameters.client_no_context_takeover = client_no_context_takeover_ || negotiation.client_no_context_takeover;
    parameters.server_max_window_bits = server_max_window_bits_.value_or(default_window_bits);
    // RFC 7692 section 7.1: only these three may be in a response; client_max_window_bits is left out so that the
    // client keeps the window it likes.
    accepted.response = extension_name;
    if (parameters.server_no_context_takeover) accepted.response.append("; ").append(server_no_context_takeover);
    if (parameters.client_no_context_takeover) accepted.response.append("; ").append(client_no_context_takeover);
    if (server_max_window_bits_) {
      // Section 7.1.2.1: an offered server window is accepted only by answering it.
      accepted.response.append("; ").append(server_max_window_bits).append("=");
      accepted.response.append(std::to_string(*server_max_window_bits_));
    }
    return accepted;
  }

 private:
  void take_flag(bool& flag, std::optional<std::string_view> value) {
    if (flag || value) declined_ = true;
    flag = true;
  }

  void take_server_window(std::optional<std::string_view> value) {
    auto const bits = value ? window_bits(*value) : std::nullopt;
    if (server_max_window_bits_ || !bits || *bits < smallest_server_window_bits) declined_ = true;
    server_max_window_bits_ = bits.value_or(default_window_bits);
  }

  void take_client_window(std::optional<std::string_view> value) {
    if (client_max_window_bits_ || (value && !window_bits(*value))) declined_ = true;
    client_max_window_bits_ = true;
  }

  bool declined_ = false;
  bool server_no_context_takeover_ = false;
  bool client_no_context_takeover_ = false;
  std::optional<std::uint8_t> server_max_window_bits_;
  bool client_max_window_bits_ = false;
};

// The offers of a list, in order, and the first one that can be accepted.
class OfferChooser {
 public:
  explicit OfferChooser(DeflateNegotiation const& negotiation) : negotiation_(negotiation) {}

  void begin_extension(std::string_view name) {
    offer_.reset();
    if (!chosen_ && name == extension_name) offer_.emplace();
  }

  void add_parameter(std::string_view name, std::optional<std::string_view> value) {
    if (offer_) offer_->add(name, value);
  }

  void end_extension() {
    if (offer_ && !offer_->declined()) chosen_ = offer_->accept(negotiation_);
  }

  std::optional<AcceptedDeflate>& chosen() { return chosen_; }

 private:
  DeflateNegotiation const& negotiation_;
  std::optional<DeflateOffer> offer_;
  std::optional<AcceptedDeflate> chosen_;
};

// RFC 6455 section 9.1's grammar over one field, with optional whitespace around every separator:
//   extension-list = 1#extension; extension = token *( ";" param ); param = token [ "=" (token | quoted-string) ]
// where a quoted value, unescaped, must itself be a token. Empty list elements are ignored (RFC 9110 5.6.1).
class ExtensionListReader {
 public:
  explicit ExtensionListReader(std::string_view text) : text_(text) {}

  // False when the field breaks the grammar; what was read before the fault has already reached the chooser.
  bool read(OfferChooser& chooser) {
    for (;;) {
      skip_whitespace();
      if (done()) return true;
      if (take(',')) continue;
      if (!read_extension(chooser)) return false;
      skip_whitespace();
      if (done()) return true;
      if (!take(',')) return false;
    }
  }

 private:
  bool read_extension(OfferChooser& chooser) {
    auto const name = token();
    if (name.empty()) return false;
    chooser.begin_extension(name);
    skip_whitespace();
    while (take(';')) {
      skip_whitespace();
      auto const parameter = token();
      if (parameter.empty()) return false;
      skip_whitespace();
      std::optional<std::string_view> value;
      if (take('=')) {
        skip_whitespace();
        value = parameter_value();
        if (!value) return false;
        skip_whitespace();
      }
      chooser.add_parameter(parameter, value);
    }
    chooser.end_extension();
    return true;
  }

  std::optional<std::string_view> parameter_value() {
    if (!take('"')) {
      auto const value = token();
      return value.empty() ? std::nullopt : std::optional(value);
    }
    return quoted_token();
  }

  // The rest of a quoted-string whose opening quote was taken, unescaped into unquoted_; it must be a token.
  std::optional<std::string_view> quoted_token() {
    unquoted_.clear();
    while (!done()) {
      char c = text_[at_++];
      if (c == '"') return unquoted_.empty() ? std::nullopt : std::optional<std::string_view>(unquoted_);
      if (c == '\\') {
        if (done() || !is_escapable(text_[at_])) return std::nullopt;
        c = text_[at_++];
      } else if (!is_quoted_text(c)) {
        return std::nullopt;
      }
      if (!is_token_char(c)) return std::nullopt;
      unquoted_ += c;
    }
    return std::nullopt;  // no closing quote
  }

  std::string_view token() {
    auto const start = at_;
    while (!done() && is_token_char(text_[at_])) ++at_;
    return text_.substr(start, at_ - start);
  }

  void skip_whitespace() {
    while (!done() && is_whitespace(text_[at_])) ++at_;
  }

  bool take(char c) {
    if (done() || text_[at_] != c) return false;
    ++at_;
    return true;
  }

  bool done() const { return at_ == text_.size(); }

  std::string_view text_;
  std::size_t at_ = 0;
  std::string unquoted_;
};

}  // namespace

std::optional<AcceptedDeflate> negotiate_permessage_deflate(std::span<std::string_view const> header_values,
                                                            DeflateNegotiation const& negotiation) {
  if (!negotiation.enabled) return std::nullopt;
  OfferChooser chooser(negotiation);
  bool const well_formed = std::ranges::all_of(
      header_values, [&chooser](std::string_view value) { return ExtensionListReader(value).read(chooser); });
  if (!well_formed) return std::nullopt;
  return std::move(chooser.chosen());
}

}  // namespace wshub
