#include "store/file_probe.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include <caf/error.hpp>
#include <caf/sec.hpp>

namespace tether::store {

namespace {

constexpr char sqlite_header[] = "SQLite format 3"; // 15 chars and its \0
constexpr size_t header_size = sizeof(sqlite_header);
static_assert(header_size == 16);

caf::error cannot_read(const std::string& path, int error) {
  return caf::make_error(caf::sec::runtime_error,
                         "cannot open " + path +
                             ": cannot read it: " + std::strerror(error));
}

} // namespace

caf::expected<file_kind> probe_file(const std::string& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    if (errno == ENOENT)
      return file_kind::none;
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
    return file_kind::none;
  if (got == header_size &&
      std::memcmp(header, sqlite_header, header_size) == 0)
    return file_kind::sqlite;
  return file_kind::foreign;
}

} // namespace tether::store
