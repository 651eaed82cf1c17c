#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace tether::security {

/// `n` bytes from OpenSSL's CSPRNG; throws only if the CSPRNG fails.
std::string random_bytes(size_t n);

/// HMAC-SHA-256 of `data` under `key` (32 raw bytes).
std::string hmac_sha256(const std::string& key, const std::string& data);

/// Compares in time that depends only on the lengths.
bool equal_constant_time(const std::string& x, const std::string& y);

/// Base64url without padding (RFC 4648 section 5), as JWTs use it.
std::string base64url_encode(const std::string& bytes);
std::optional<std::string> base64url_decode(const std::string& text);

/// Lower-case hex.
std::string to_hex(const std::string& bytes);
std::optional<std::string> from_hex(const std::string& text);

} // namespace tether::security
