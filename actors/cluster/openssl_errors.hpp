#pragma once

namespace tether {

/// Makes sure the fix in openssl_errors.cpp is linked in: called when the
/// cluster's links speak TLS.
void keep_openssl_error_queue_clean();

} // namespace tether
