#include "tether/security/stream_token.hpp"

#include <cerrno>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "tether/security/crypto.hpp"

namespace tether::security {

namespace {

constexpr char prefix[] = "v1.";

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::string::size_type start = 0;
  while (true) {
    auto at = text.find(sep, start);
    parts.push_back(text.substr(start, at - start));
    if (at == std::string::npos)
      return parts;
    start = at + 1;
  }
}

bool to_uint(const std::string& text, uint64_t& out) {
  if (text.empty() || text.size() > 20)
    return false;
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
    out = out * 10 + static_cast<uint64_t>(c - '0');
  }
  return true;
}

} // namespace

stream_token_signer::stream_token_signer(std::string secret)
    : secret_(std::move(secret)) {}

std::string stream_token_signer::sign(const stream_claims& c) const {
  std::ostringstream body;
  body << c.session_id << '\n'
       << c.stream << '\n'
       << c.generation << '\n'
       << c.expires << '\n'
       << c.node;
  auto claims = base64url_encode(body.str());
  return prefix + claims + "." +
         base64url_encode(hmac_sha256(secret_, prefix + claims));
}

std::optional<stream_claims>
stream_token_signer::verify(const std::string& token, uint64_t now) const {
  if (token.size() > 4096 || token.compare(0, 3, prefix) != 0)
    return std::nullopt;
  auto dot = token.rfind('.');
  if (dot <= 3)
    return std::nullopt;
  // The MAC is checked before anything in the claims is looked at, as
  // text: comparing decoded bytes would accept other spellings of the same
  // MAC (the unused bits of the last base64url character).
  auto mac = base64url_encode(hmac_sha256(secret_, token.substr(0, dot)));
  if (!equal_constant_time(token.substr(dot + 1), mac))
    return std::nullopt;
  auto body = base64url_decode(token.substr(3, dot - 3));
  if (!body)
    return std::nullopt;
  auto fields = split(*body, '\n');
  if (fields.size() != 5)
    return std::nullopt;
  stream_claims c;
  c.session_id = fields[0];
  c.node = fields[4];
  if (!to_uint(fields[1], c.stream) || !to_uint(fields[2], c.generation) ||
      !to_uint(fields[3], c.expires) || c.expires <= now)
    return std::nullopt;
  return c;
}

namespace {

/// The secret an existing `file` holds.
std::optional<std::string>
read_secret(std::ifstream& in, const std::string& file, std::string& error) {
  std::string hex;
  std::getline(in, hex);
  auto secret = from_hex(hex);
  if (!secret || secret->size() < 32) {
    error = "'" + file + "' holds no secret of 64 hex digits";
    return std::nullopt;
  }
  return secret;
}

} // namespace

std::optional<std::string> load_or_create_secret(const std::string& file,
                                                 std::string& error) {
  if (std::ifstream in{file, std::ios::binary})
    return read_secret(in, file, error);
  // Written whole under a name of its own, then linked into place: a node
  // starting beside this one on the same data dir finds no file or all of
  // one, never half of it, and both end up with the one that got there.
  auto secret = random_bytes(32);
  auto draft = file + ".new-" + to_hex(random_bytes(8));
  int fd =
      ::open(draft.c_str(), O_WRONLY | O_CREAT | O_EXCL, S_IRUSR | S_IWUSR);
  if (fd < 0) {
    error = "cannot create '" + draft + "'";
    return std::nullopt;
  }
  auto text = to_hex(secret) + "\n";
  bool written = ::write(fd, text.data(), text.size()) ==
                 static_cast<ssize_t>(text.size());
  ::close(fd);
  int linked = written ? ::link(draft.c_str(), file.c_str()) : -1;
  int link_error = errno;
  ::unlink(draft.c_str());
  if (!written) {
    error = "cannot write '" + draft + "'";
    return std::nullopt;
  }
  if (linked == 0)
    return secret;
  if (link_error == EEXIST)
    if (std::ifstream in{file, std::ios::binary})
      return read_secret(in, file, error);
  error = "cannot create '" + file + "'";
  return std::nullopt;
}

} // namespace tether::security
