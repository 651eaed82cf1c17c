#pragma once

// Throwaway certificate authorities and certificates, made at test time
// with the openssl CLI: nothing secret is committed.

#include <string>

#include "tether/tests/support/temp_dir.hpp"

namespace tether::test {

/// A certificate and its key, as PEM files.
struct certificate {
  std::string cert;
  std::string key;
};

/// What a certificate `issue` makes is valid for.
struct validity {
  /// Expired since 2020 (issued for one day of January 2020).
  bool expired = false;
  /// Names it is valid for, as subjectAltName entries ("IP:127.0.0.1").
  std::string alt_names = "IP:127.0.0.1,DNS:localhost";
};

/// The CA `name` in `dir`, made on first use: its certificate is
/// `dir/name.pem`, which clients trust.
certificate make_ca(const temp_dir& dir, const std::string& name);

/// A certificate for `subject` signed by the CA `ca` of `dir` (made if
/// needed), as `dir/subject.pem` and `dir/subject.key`.
certificate issue(const temp_dir& dir, const std::string& ca,
                  const std::string& subject, const validity& valid = {});

} // namespace tether::test
