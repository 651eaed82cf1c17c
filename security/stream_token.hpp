#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tether::security {

/// What a stream token says: which stream of which session on which node,
/// which generation of the stream's tokens, and until when.
struct stream_claims {
  std::string node;
  std::string session_id;
  uint64_t stream = 0;
  uint64_t generation = 0;
  /// Unix seconds.
  uint64_t expires = 0;
};

/// Signs and checks stream tokens with HMAC-SHA-256 under the node secret
/// (cluster-wide: any node with the secret checks any node's tokens).
/// Immutable after construction, so actors share it without locks.
class stream_token_signer {
 public:
  explicit stream_token_signer(std::string secret);

  /// An opaque token: `v1.<claims in base64url>.<mac in base64url>`.
  std::string sign(const stream_claims& claims) const;

  /// The claims of a token whose MAC checks (in constant time) and that has
  /// not expired at `now`; nullopt otherwise, whatever the reason.
  std::optional<stream_claims> verify(const std::string& token,
                                      uint64_t now) const;

 private:
  std::string secret_;
};

/// The node secret: read from `file` when it exists, else generated (32
/// random bytes) and written there with owner-only permissions. The error
/// text says what failed.
std::optional<std::string> load_or_create_secret(const std::string& file,
                                                 std::string& error);

} // namespace tether::security
