// Tests the permessage-deflate negotiation: which offer is chosen, what the answer says, and what is declined.
#include "protocol/deflate_negotiation.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace wshub {
namespace {

constexpr DeflateNegotiation enabled{.enabled = true};
// What the server asks when it adds nothing of its own: the answer then only reflects the offer.
constexpr DeflateNegotiation plain{
    .enabled = true, .server_no_context_takeover = false, .client_no_context_takeover = false};

std::optional<AcceptedDeflate> negotiate_fields(std::vector<std::string_view> const& fields,
                                                DeflateNegotiation const& negotiation = plain) {
  return negotiate_permessage_deflate(fields, negotiation);
}

std::optional<AcceptedDeflate> negotiate(std::string_view field, DeflateNegotiation const& negotiation = plain) {
  return negotiate_fields({field}, negotiation);
}

// The answer to a single offer, or "declined".
// "permessage-deflate; <parameter>=<value>", built by appending: GCC 12 at -O3 falsely warns about operator+ on a
// temporary in a loop.
std::string offer_with(std::string_view parameter, std::string_view value) {
  std::string offer = "permessage-deflate; ";
  offer.append(parameter).append("=").append(value);
  return offer;
}

std::string response_to(std::string_view field, DeflateNegotiation const& negotiation = plain) {
  auto const accepted = negotiate(field, negotiation);
  return accepted ? accepted->response : "declined";
}

TEST(DeflateNegotiation, OffByDefaultEveryOfferIsDeclined) {
  EXPECT_FALSE(negotiate("permessage-deflate", DeflateNegotiation{}));
  EXPECT_FALSE(negotiate("permessage-deflate; client_max_window_bits", DeflateNegotiation{}));
}

TEST(DeflateNegotiation, WithoutAnOfferNothingIsAccepted) {
  EXPECT_FALSE(negotiate_fields({}));
  EXPECT_FALSE(negotiate(""));
  EXPECT_FALSE(negotiate("x-webkit-deflate-frame"));
  EXPECT_FALSE(negotiate("deflate-frame; no_context_takeover"));
}

TEST(DeflateNegotiation, FirefoxsOfferIsAcceptedWithWhatTheServerAsks) {
  // By default the server keeps its own history (context takeover) and asks the client not to keep one.
  auto const accepted = negotiate("permessage-deflate", enabled);
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->response, "permessage-deflate; client_no_context_takeover");
  EXPECT_EQ(accepted->parameters, (DeflateParameters{.server_no_context_takeover = false,
                                                     .client_no_context_takeover = true,
                                                     .server_max_window_bits = 15}));
  auto const as_offered = negotiate("permessage-deflate");
  ASSERT_TRUE(as_offered);
  EXPECT_EQ(as_offered->response, "permessage-deflate");
  EXPECT_EQ(as_offered->parameters, DeflateParameters{});
}

TEST(DeflateNegotiation, ChromiumsOfferIsAcceptedWithoutEchoingTheClientWindow) {
  auto const accepted = negotiate("permessage-deflate; client_max_window_bits", enabled);
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->response, "permessage-deflate; client_no_context_takeover");
  EXPECT_EQ(response_to("permessage-deflate; client_max_window_bits"), "permessage-deflate");
}

TEST(DeflateNegotiation, PythonWebsocketsOfferIsAccepted) {
  // websockets' client default: client_max_window_bits without a value, and its server_max_window_bits when set.
  EXPECT_EQ(response_to("permessage-deflate; client_max_window_bits"), "permessage-deflate");
  auto const accepted = negotiate("permessage-deflate; server_max_window_bits=12; client_max_window_bits=12");
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->response, "permessage-deflate; server_max_window_bits=12");
  EXPECT_EQ(accepted->parameters.server_max_window_bits, 12);
}

TEST(DeflateNegotiation, NodeWsOfferIsAccepted) {
  // ws with perMessageDeflate: true offers client_max_window_bits; with its options set, it offers them all.
  EXPECT_EQ(response_to("permessage-deflate; client_max_window_bits"), "permessage-deflate");
  auto const accepted = negotiate(
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; "
      "client_max_window_bits=11");
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->response,
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10");
  EXPECT_EQ(accepted->parameters,
            (DeflateParameters{
                .server_no_context_takeover = true, .client_no_context_takeover = true, .server_max_window_bits = 10}));
}

TEST(DeflateNegotiation, AnOfferedServerNoContextTakeoverIsAlwaysAnswered) {
  auto const accepted = negotiate("permessage-deflate; server_no_context_takeover");
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->response, "permessage-deflate; server_no_context_takeover");
  EXPECT_TRUE(accepted->parameters.server_no_context_takeover);
  EXPECT_FALSE(accepted->parameters.client_no_context_takeover);
}

TEST(DeflateNegotiation, TheServerAddsWhatItAsksEvenWhenNotOffered) {
  DeflateNegotiation const server_only{
      .enabled = true, .server_no_context_takeover = true, .client_no_context_takeover = false};
  EXPECT_EQ(response_to("permessage-deflate", server_only), "permessage-deflate; server_no_context_takeover");
  DeflateNegotiation const client_only{.enabled = true, .server_no_context_takeover = false};
  EXPECT_EQ(response_to("permessage-deflate", client_only), "permessage-deflate; client_no_context_takeover");
  auto const accepted = negotiate("permessage-deflate", client_only);
  ASSERT_TRUE(accepted);
  EXPECT_TRUE(accepted->parameters.client_no_context_takeover);
  EXPECT_FALSE(accepted->parameters.server_no_context_takeover);
}

TEST(DeflateNegotiation, NoParameterIsAnsweredTwice) {
  EXPECT_EQ(response_to("permessage-deflate; server_no_context_takeover; client_no_context_takeover", enabled),
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
}

TEST(DeflateNegotiation, EveryServerWindowFrom9To15IsAnsweredAsOffered) {
  for (int bits = 9; bits <= 15; ++bits) {
    auto const offer = offer_with("server_max_window_bits", std::to_string(bits));
    auto const accepted = negotiate(offer);
    ASSERT_TRUE(accepted) << offer;
    EXPECT_EQ(accepted->response, offer);
    EXPECT_EQ(accepted->parameters.server_max_window_bits, bits);
  }
}

TEST(DeflateNegotiation, EveryClientWindowFrom8To15IsAcceptedAndNotEchoed) {
  for (int bits = 8; bits <= 15; ++bits) {
    auto const offer = offer_with("client_max_window_bits", std::to_string(bits));
    EXPECT_EQ(response_to(offer), "permessage-deflate") << offer;
  }
}

TEST(DeflateNegotiation, AServerWindowOf8IsDeclinedBecauseZlibCannotProduceIt) {
  EXPECT_EQ(response_to("permessage-deflate; server_max_window_bits=8"), "declined");
}

TEST(DeflateNegotiation, WindowsOutsidePlainDecimal8To15AreDeclined) {
  for (auto const* value : {"7", "16", "0", "015", "09", "+9", "-9", "9.0", "1e1", "abc", "255", "4294967305"}) {
    EXPECT_EQ(response_to(offer_with("server_max_window_bits", value)), "declined") << value;
    EXPECT_EQ(response_to(offer_with("client_max_window_bits", value)), "declined") << value;
  }
}

TEST(DeflateNegotiation, AServerWindowWithoutAValueIsDeclined) {
  EXPECT_EQ(response_to("permessage-deflate; server_max_window_bits"), "declined");
}

TEST(DeflateNegotiation, AValueOnANoContextTakeoverIsDeclined) {
  EXPECT_EQ(response_to("permessage-deflate; server_no_context_takeover=1"), "declined");
  EXPECT_EQ(response_to("permessage-deflate; client_no_context_takeover=true"), "declined");
  EXPECT_EQ(response_to("permessage-deflate; client_no_context_takeover=\"x\""), "declined");
}

TEST(DeflateNegotiation, ARepeatedParameterIsDeclined) {
  for (auto const* offer : {"permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                            "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
                            "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
                            "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
                            "permessage-deflate; client_max_window_bits; client_max_window_bits"}) {
    EXPECT_EQ(response_to(offer), "declined") << offer;
  }
}

TEST(DeflateNegotiation, AnUnknownParameterIsDeclined) {
  EXPECT_EQ(response_to("permessage-deflate; mem_level=8"), "declined");
  EXPECT_EQ(response_to("permessage-deflate; client_max_window_bits; x"), "declined");
}

TEST(DeflateNegotiation, NamesAreComparedExactly) {
  EXPECT_EQ(response_to("Permessage-Deflate"), "declined");
  EXPECT_EQ(response_to("permessage-deflate; Server_No_Context_Takeover"), "declined");
}

TEST(DeflateNegotiation, TheFirstAcceptableOfferInTheClientsOrderIsChosen) {
  auto const accepted = negotiate(
      "permessage-deflate; server_max_window_bits=8, permessage-deflate; unknown, "
      "permessage-deflate; server_max_window_bits=10, permessage-deflate");
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->response, "permessage-deflate; server_max_window_bits=10");
  EXPECT_EQ(response_to("x-other; a=b, permessage-deflate; server_no_context_takeover, permessage-deflate"),
            "permessage-deflate; server_no_context_takeover");
}

TEST(DeflateNegotiation, OtherExtensionsAndTheirParametersAreSkipped) {
  EXPECT_EQ(response_to("x-webkit-deflate-frame; max_window_bits=8, permessage-deflate"), "permessage-deflate");
  EXPECT_EQ(response_to("foo; server_max_window_bits=8; bar=\"a\", permessage-deflate"), "permessage-deflate");
}

TEST(DeflateNegotiation, QuotedValuesAreUnquoted) {
  auto const accepted = negotiate("permessage-deflate; server_max_window_bits=\"10\"; client_max_window_bits=\"15\"");
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->response, "permessage-deflate; server_max_window_bits=10");
  EXPECT_EQ(response_to("permessage-deflate; server_max_window_bits=\"1\\1\""),
            "permessage-deflate; server_max_window_bits=11");
  EXPECT_EQ(response_to("permessage-deflate; server_max_window_bits=\"8\""), "declined");
  EXPECT_EQ(response_to("permessage-deflate; server_max_window_bits=\"010\""), "declined");
}

TEST(DeflateNegotiation, AQuotedValueThatIsNotATokenMakesTheHeaderMalformed) {
  for (auto const* quoted : {"\"\"", "\"1 0\"", "\"1,0\"", "\"\\\"\"", "\"\x80\"", "\"a\tb\""}) {
    auto header = offer_with("client_max_window_bits", quoted);
    header += ", permessage-deflate";
    EXPECT_EQ(response_to(header), "declined") << header;
  }
}

TEST(DeflateNegotiation, WhitespaceAroundSeparatorsIsAllowed) {
  EXPECT_EQ(response_to("  permessage-deflate \t;\tserver_max_window_bits = 11 ;client_max_window_bits  "),
            "permessage-deflate; server_max_window_bits=11");
  EXPECT_EQ(response_to("x , \t permessage-deflate;server_no_context_takeover"),
            "permessage-deflate; server_no_context_takeover");
}

TEST(DeflateNegotiation, EmptyListElementsAreIgnored) {
  EXPECT_EQ(response_to(",permessage-deflate"), "permessage-deflate");
  EXPECT_EQ(response_to(", , x,, permessage-deflate , ,"), "permessage-deflate");
  EXPECT_EQ(response_to(" , "), "declined");
}

TEST(DeflateNegotiation, AMalformedHeaderDeclinesEveryOffer) {
  for (auto const* header :
       {"permessage-deflate, x y", "permessage-deflate; ", "permessage-deflate;; x",
        "permessage-deflate; server_max_window_bits=", "permessage-deflate; =10", "permessage-deflate; a=\"10",
        "permessage-deflate; a=\"10\\", "permessage-deflate x", "permessage-deflate; a=b=c", "permessage-deflate, ; x",
        "permessage-deflate, @", "permessage-deflate; a=\"1\"0", "permessage-deflate\x01", "perm\xc3\xa9ssage-deflate",
        "permessage-deflate; a=(b)"}) {
    EXPECT_EQ(response_to(header), "declined") << header;
  }
}

TEST(DeflateNegotiation, SeveralFieldsAreOneList) {
  auto const accepted = negotiate_fields({"x-other", "permessage-deflate; server_max_window_bits=8",
                                          "permessage-deflate; server_max_window_bits=13", "permessage-deflate"});
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->response, "permessage-deflate; server_max_window_bits=13");
  EXPECT_EQ(negotiate_fields({"", "permessage-deflate"})->response, "permessage-deflate");
  // A fault in any field makes the whole list malformed, even after an acceptable offer.
  EXPECT_FALSE(negotiate_fields({"permessage-deflate", "permessage-deflate; a=\"open"}));
  EXPECT_FALSE(negotiate_fields({"x y", "permessage-deflate"}));
}

TEST(DeflateNegotiation, AnAnswerReadAsAnOfferIsAcceptedWithTheSameParameters) {
  for (auto const* offer : {"permessage-deflate", "permessage-deflate; server_max_window_bits=9",
                            "permessage-deflate; server_no_context_takeover; client_max_window_bits=8"}) {
    for (auto const& negotiation : {plain, enabled}) {
      auto const accepted = negotiate(offer, negotiation);
      ASSERT_TRUE(accepted) << offer;
      auto const again = negotiate(accepted->response, negotiation);
      ASSERT_TRUE(again) << accepted->response;
      EXPECT_EQ(again->parameters, accepted->parameters) << accepted->response;
      EXPECT_EQ(again->response, accepted->response);
    }
  }
}

// A 64 KiB header of declined offers (each one would be accepted but for its last parameter) and one of quoted
// values costs about what a single offer does per byte: the time grows linearly, not with the square of the size.
TEST(DeflateNegotiation, A64KiBHeaderOfOffersIsReadInLinearTime) {
  std::string declined_offers;
  std::string quoted_values = "permessage-deflate";
  while (declined_offers.size() < 64 * 1024) {
    declined_offers += "permessage-deflate; client_max_window_bits; server_max_window_bits=8, ";
    quoted_values += "; client_max_window_bits=\"1\\5\"";
  }
  std::string accepted_last = declined_offers;
  accepted_last += "permessage-deflate; server_max_window_bits=9";
  auto const started = std::chrono::steady_clock::now();
  EXPECT_FALSE(negotiate(declined_offers));
  EXPECT_FALSE(negotiate(quoted_values));  // the parameter repeats: declined, after reading it all
  EXPECT_EQ(response_to(accepted_last), "permessage-deflate; server_max_window_bits=9");
  std::vector<std::string_view> const many_fields(4096, "permessage-deflate; x, permessage-deflate; y");
  EXPECT_FALSE(negotiate_fields(many_fields));
  // About 200 KiB in all: well under a millisecond in a release build; a quadratic reading would take seconds.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(500));
}

}  // namespace
}  // namespace wshub
