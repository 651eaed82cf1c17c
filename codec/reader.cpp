#include "tether/codec/reader.hpp"

#include <msgpack.hpp>

namespace tether::codec {

namespace {

/// Validates a value's structure, bounding its depth; never throws.
class checking_visitor : public msgpack::null_visitor {
 public:
  bool start_array(uint32_t) { return enter(); }
  bool end_array() { return leave(); }
  bool start_map(uint32_t) { return enter(); }
  bool end_map() { return leave(); }
  void parse_error(size_t, size_t) { broken = true; }
  void insufficient_bytes(size_t, size_t) { broken = true; }

  bool broken = false;
  bool too_deep = false;

 private:
  bool enter() {
    if (++depth_ > reader::max_depth) {
      too_deep = true;
      return false;
    }
    return true;
  }
  bool leave() {
    --depth_;
    return true;
  }
  uint32_t depth_ = 0;
};

/// Checks that a complete map has only string keys.
bool has_string_keys(const char* data, size_t size) {
  try {
    auto handle = msgpack::unpack(data, size);
    const auto& obj = handle.get();
    if (obj.type != msgpack::type::MAP)
      return false;
    for (uint32_t i = 0; i < obj.via.map.size; ++i)
      if (obj.via.map.ptr[i].key.type != msgpack::type::STR)
        return false;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

} // namespace

bool reader::fail(std::string reason) {
  if (error_.empty())
    error_ = std::move(reason);
  return false;
}

bool reader::peek(uint8_t& out) const {
  if (pos_ >= size_)
    return false;
  out = static_cast<uint8_t>(data_[pos_]);
  return true;
}

bool reader::take(size_t n, const char*& out) {
  if (size_ - pos_ < n)
    return fail("truncated");
  out = data_ + pos_;
  pos_ += n;
  return true;
}

bool reader::read_be(size_t n, uint64_t& out) {
  const char* p = nullptr;
  if (!take(n, p))
    return false;
  out = 0;
  for (size_t i = 0; i < n; ++i)
    out = (out << 8) | static_cast<uint8_t>(p[i]);
  return true;
}

bool reader::read_array_header(uint32_t& n) {
  uint8_t b;
  if (!peek(b))
    return fail("truncated");
  ++pos_;
  uint64_t len = 0;
  if (b >= 0x90 && b <= 0x9f)
    len = b & 0x0f;
  else if (b == 0xdc) {
    if (!read_be(2, len))
      return false;
  } else if (b == 0xdd) {
    if (!read_be(4, len))
      return false;
  } else
    return fail("expected an array");
  n = static_cast<uint32_t>(len);
  return true;
}

bool reader::read(uint64_t& x) {
  uint8_t b;
  if (!peek(b))
    return fail("truncated");
  ++pos_;
  if (b <= 0x7f) {
    x = b;
    return true;
  }
  switch (b) {
  case 0xcc:
    return read_be(1, x);
  case 0xcd:
    return read_be(2, x);
  case 0xce:
    return read_be(4, x);
  case 0xcf:
    return read_be(8, x);
  case 0xd0:
  case 0xd1:
  case 0xd2:
  case 0xd3: {
    // Signed encodings of non-negative numbers are accepted: some encoders
    // pick them. Negative numbers are not unsigned integers.
    size_t n = size_t{1} << (b - 0xd0);
    uint64_t raw;
    if (!read_be(n, raw))
      return false;
    if (raw >> (n * 8 - 1))
      return fail("expected an unsigned integer, got a negative one");
    x = raw;
    return true;
  }
  default:
    return fail("expected an unsigned integer");
  }
}

bool reader::read(std::string& x) {
  uint8_t b;
  if (!peek(b))
    return fail("truncated");
  ++pos_;
  uint64_t len = 0;
  if (b >= 0xa0 && b <= 0xbf)
    len = b & 0x1f;
  else if (b == 0xd9) {
    if (!read_be(1, len))
      return false;
  } else if (b == 0xda) {
    if (!read_be(2, len))
      return false;
  } else if (b == 0xdb) {
    if (!read_be(4, len))
      return false;
  } else
    return fail("expected a string");
  const char* p = nullptr;
  if (!take(len, p))
    return false;
  x.assign(p, len);
  return true;
}

bool reader::read(bool& x) {
  uint8_t b;
  if (!peek(b))
    return fail("truncated");
  if (b != 0xc2 && b != 0xc3)
    return fail("expected a boolean");
  ++pos_;
  x = b == 0xc3;
  return true;
}

bool reader::extent(size_t& begin, size_t& end) {
  if (at_end())
    return fail("truncated");
  checking_visitor v;
  size_t off = pos_;
  bool ok = false;
  try {
    ok = msgpack::parse(data_, size_, off, v);
  } catch (const std::exception&) {
    ok = false;
  }
  if (v.too_deep)
    return fail("value nested too deeply");
  if (!ok || v.broken)
    return fail("malformed value");
  begin = pos_;
  end = off;
  pos_ = off;
  return true;
}

bool reader::skip() {
  size_t begin, end;
  return extent(begin, end);
}

bool reader::read(value& x) {
  size_t begin, end;
  if (!extent(begin, end))
    return false;
  x = value::from_encoded(std::string{data_ + begin, end - begin});
  return true;
}

bool reader::read(map_value& x) {
  size_t begin, end;
  if (!extent(begin, end))
    return false;
  if (!has_string_keys(data_ + begin, end - begin))
    return fail("expected a map with string keys");
  x = map_value{value::from_encoded(std::string{data_ + begin, end - begin})};
  return true;
}

bool reader::read(nested_frame& x) {
  uint8_t b;
  if (!peek(b))
    return fail("truncated");
  if (!((b >= 0x90 && b <= 0x9f) || b == 0xdc || b == 0xdd))
    return fail("expected a frame (an array)");
  size_t begin, end;
  if (!extent(begin, end))
    return false;
  x.bytes.assign(data_ + begin, end - begin);
  return true;
}

} // namespace tether::codec
