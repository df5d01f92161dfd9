// The hub's answers to a join, each with its counter and, for a refusal, its close code and reason.
#include "server/admission.hpp"

#include <spdlog/fmt/fmt.h>

namespace wshub {

AdmissionVerdict admission_verdict(ClientId id, JoinOutcome outcome) {
  switch (outcome) {
    case JoinOutcome::joined:
      break;
    case JoinOutcome::replaced:
      return {Counter::connections_duplicate_id, Refusal{CloseCode::replaced, std::string(replaced_reason)}};
    case JoinOutcome::duplicate_id:
      return {Counter::connections_duplicate_id,
              Refusal{CloseCode::policy_violation, fmt::format("client id {} is already connected", id)}};
    case JoinOutcome::shutting_down:
      return {Counter::connections_shutting_down, Refusal{CloseCode::going_away, std::string(shutting_down_reason)}};
    case JoinOutcome::over_limit:
      return {Counter::connections_over_limit, Refusal{CloseCode::try_again_later, std::string(over_limit_reason)}};
  }
  return {Counter::connections_accepted, std::nullopt};
}

}  // namespace wshub
