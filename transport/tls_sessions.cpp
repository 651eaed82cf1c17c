#include "tether/transport/http_session.ipp"
#include "tether/transport/tls.hpp"
#include "tether/transport/websocket_session.ipp"

namespace tether::transport {

// Sessions over TLS, apart from the plain ones: the same code over another
// next layer.
template class http_session<tls_stream>;
template class websocket_session<tls_stream>;

} // namespace tether::transport
