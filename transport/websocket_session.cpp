#include "tether/transport/websocket_session.hpp"

#include "tether/transport/websocket_session.ipp"

namespace tether::transport {

// The node's next layer. Beast's test stream is instantiated apart, in
// test_stream.cpp, so that the node's binaries do not carry it.
template class websocket_session<tcp::socket>;

} // namespace tether::transport
