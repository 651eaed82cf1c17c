#include "tether/store/file_lock.hpp"

#include <cerrno>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <caf/error.hpp>
#include <caf/sec.hpp>

namespace tether::store {

file_lock::file_lock(file_lock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)) {}

file_lock& file_lock::operator=(file_lock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

file_lock::~file_lock() {
  // Closing the only descriptor releases the flock. The file stays: removing
  // it could race with another node that has just opened it.
  if (fd_ >= 0)
    ::close(fd_);
}

caf::expected<file_lock> file_lock::acquire(const std::string& store_path,
                                            const std::string& lock_path) {
  int fd;
  do {
    fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return caf::make_error(caf::sec::runtime_error,
                           "cannot open " + store_path +
                               ": cannot create its lock file " + lock_path +
                               ": " + std::strerror(errno));
  int rc;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    auto error = errno;
    ::close(fd);
    if (error == EWOULDBLOCK)
      return caf::make_error(caf::sec::runtime_error,
                             store_path + " is in use by another node (lock " +
                                 lock_path + " held)");
    return caf::make_error(caf::sec::runtime_error,
                           "cannot open " + store_path + ": cannot lock " +
                               lock_path + ": " + std::strerror(error));
  }
  return file_lock{fd};
}

} // namespace tether::store
