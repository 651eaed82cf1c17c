#include "tether/clients/cpp/session_types.hpp"

namespace tether::client {

const char* to_string(session_state x) {
  switch (x) {
  case session_state::idle:
    return "idle";
  case session_state::connecting:
    return "connecting";
  case session_state::live:
    return "live";
  case session_state::stopped:
    return "stopped";
  }
  return "unknown";
}

const char* to_string(session_event::kind x) {
  using k = session_event::kind;
  switch (x) {
  case k::connected:
    return "connected";
  case k::disconnected:
    return "disconnected";
  case k::reconnecting:
    return "reconnecting";
  case k::resumed:
    return "resumed";
  case k::resume_gap:
    return "resume_gap";
  case k::new_session:
    return "new_session";
  case k::stopped:
    return "stopped";
  }
  return "unknown";
}

} // namespace tether::client
