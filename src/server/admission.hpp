// What the hub's answer to a client's join means for it: what is counted, and for a refusal the close it gets.
#pragma once

#include <optional>
#include <string>

#include "hub/client_id.hpp"
#include "hub/hub.hpp"
#include "ops/metrics.hpp"
#include "protocol/close_code.hpp"

namespace wshub {

struct Refusal {
  CloseCode code;
  std::string reason;  // sent in the close frame, so that a browser client can show why
};

struct AdmissionVerdict {
  Counter counter;
  std::optional<Refusal> refusal;  // none: the client is in
};

AdmissionVerdict admission_verdict(ClientId id, JoinOutcome outcome);

}  // namespace wshub
