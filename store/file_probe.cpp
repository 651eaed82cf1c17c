#include "tether/store/file_probe.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include <caf/error.hpp>
#include <caf/sec.hpp>

namespace tether::store {

namespace {

constexpr char sqlite_header[] = "SQLite format 3"; // 15 chars and its \0
constexpr size_t magic_size = sizeof(sqlite_header);
static_assert(magic_size == 16);
/// SQLite's database header; the user version is at offset 60.
constexpr size_t header_size = 100;
constexpr size_t user_version_at = 60;

caf::error cannot_read(const std::string& path, int error) {
  return caf::make_error(caf::sec::runtime_error,
                         "cannot open " + path +
                             ": cannot read it: " + std::strerror(error));
}

} // namespace

caf::expected<file_probe> probe_file(const std::string& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    if (errno == ENOENT)
      return file_probe{};
    return cannot_read(path, errno);
  }
  char header[header_size];
  size_t got = 0;
  while (got < header_size) {
    auto n = ::read(fd, header + got, header_size - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      auto error = errno;
      ::close(fd);
      return cannot_read(path, error);
    }
    if (n == 0)
      break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got == 0)
    return file_probe{};
  if (got < magic_size || std::memcmp(header, sqlite_header, magic_size) != 0)
    return file_probe{file_kind::foreign, 0};
  file_probe result{file_kind::sqlite, 0};
  auto byte = [&](size_t i) {
    return static_cast<uint32_t>(static_cast<unsigned char>(header[i]));
  };
  if (got == header_size) {
    // The fixed fields every SQLite file has (its file format's section
    // 1.3): a power-of-two page size and the payload fractions 64, 32, 32.
    auto page = byte(16) << 8 | byte(17);
    bool page_ok = page == 1 || (page >= 512 && (page & (page - 1)) == 0);
    if (!page_ok || byte(21) != 64 || byte(22) != 32 || byte(23) != 32)
      return file_probe{file_kind::foreign, 0};
  }
  if (got >= user_version_at + 4) {
    auto v = byte(user_version_at) << 24 | byte(user_version_at + 1) << 16 |
             byte(user_version_at + 2) << 8 | byte(user_version_at + 3);
    result.header_version = static_cast<int>(v);
  }
  return result;
}

} // namespace tether::store
