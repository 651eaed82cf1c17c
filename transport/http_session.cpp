#include "tether/transport/http_session.hpp"

#include "tether/transport/http_session.ipp"

namespace tether::transport {

// The node's next layer. Beast's test stream is instantiated apart, in
// test_stream.cpp, so that the node's binaries do not carry it.
template class http_session<tcp::socket>;

} // namespace tether::transport
