#include "tether/transport/test_stream.hpp"

#include "tether/transport/http_session.ipp"
#include "tether/transport/websocket_session.ipp"

namespace tether::transport {

// In a file of its own, so that only binaries that use the test stream link
// this object (and Beast's test stream code) out of the static library.
template class http_session<test_stream>;
template class websocket_session<test_stream>;

} // namespace tether::transport
