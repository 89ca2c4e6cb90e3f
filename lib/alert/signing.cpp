#include "alert/signing.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <memory>
#include <stdexcept>

namespace flywatch::alert {

namespace {

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

const unsigned char* bytes_of(std::string_view s) {
  // A default-constructed view has a null data(); EVP_MAC_init reads a null key as "keep the
  // previous key", so an empty key must still be a real pointer.
  static const unsigned char empty = 0;
  return s.data() ? reinterpret_cast<const unsigned char*>(s.data()) : &empty;
}

struct MacDeleter {
  void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
};
struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

// Fetching the algorithm walks the provider tables; do it once. A fetched EVP_MAC is immutable
// and may be shared between threads.
EVP_MAC* hmac_algorithm() {
  static const std::unique_ptr<EVP_MAC, MacDeleter> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  return mac.get();
}

using Digest = std::array<unsigned char, 32>;

Digest hmac_sha256(std::string_view key, std::string_view id, std::string_view timestamp,
                   std::string_view body) {
  EVP_MAC* mac = hmac_algorithm();
  if (!mac) throw std::runtime_error("OpenSSL provides no HMAC");
  std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> ctx(EVP_MAC_CTX_new(mac));
  if (!ctx) throw std::runtime_error("OpenSSL could not allocate an HMAC context");
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end(),
  };
  // The signed content is "id.timestamp.body"; feeding the parts one by one avoids copying a
  // large body just to concatenate it.
  const auto update = [&ctx](std::string_view part) {
    return part.empty() || EVP_MAC_update(ctx.get(), bytes_of(part), part.size()) == 1;
  };
  Digest out{};
  std::size_t out_len = 0;
  if (EVP_MAC_init(ctx.get(), bytes_of(key), key.size(), params) != 1 || !update(id) ||
      !update(".") || !update(timestamp) || !update(".") || !update(body) ||
      EVP_MAC_final(ctx.get(), out.data(), &out_len, out.size()) != 1 || out_len != out.size()) {
    throw std::runtime_error("OpenSSL HMAC-SHA256 failed");
  }
  return out;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  if (bytes.empty()) return out;
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes_of(bytes),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  // EVP_DecodeBlock is lenient (skips surrounding blanks, keeps padding as zero bytes), so the
  // shape is checked here and the padding length subtracted afterwards.
  std::size_t data_len = text.size();
  while (data_len > 0 && text[data_len - 1] == '=') --data_len;
  const std::size_t pad = text.size() - data_len;
  if (pad > 2) return std::nullopt;
  for (std::size_t i = 0; i < data_len; ++i) {
    if (!is_base64_char(text[i])) return std::nullopt;
  }
  if (data_len % 4 == 1) return std::nullopt;  // 6 bits cannot end a byte
  const std::size_t missing = (4 - data_len % 4) % 4;
  if (pad != 0 && pad != missing) return std::nullopt;
  if (data_len == 0) return std::string();
  std::string padded(text.substr(0, data_len));
  padded.append(missing, '=');
  std::string out(padded.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes_of(padded),
                                static_cast<int>(padded.size()));
  if (n < 0 || static_cast<std::size_t>(n) != out.size()) return std::nullopt;
  out.resize(out.size() - missing);
  return out;
}

std::optional<std::string> decode_webhook_secret(std::string_view secret) {
  if (secret.empty()) return std::nullopt;
  if (!secret.starts_with(webhook_secret_prefix)) return std::string(secret);
  auto key = base64_decode(secret.substr(webhook_secret_prefix.size()));
  if (!key || key->empty()) return std::nullopt;
  return key;
}

std::string sign_webhook(std::string_view key, std::string_view id, std::int64_t timestamp_seconds,
                         std::string_view body) {
  const std::string ts = std::to_string(timestamp_seconds);
  const Digest mac = hmac_sha256(key, id, ts, body);
  return "v1," + base64_encode(std::string_view(reinterpret_cast<const char*>(mac.data()),
                                                mac.size()));
}

bool verify_webhook(std::string_view key, std::string_view id, std::int64_t timestamp_seconds,
                    std::string_view body, std::string_view signature_header) {
  const std::string expected = sign_webhook(key, id, timestamp_seconds, body);
  bool ok = false;
  std::size_t pos = 0;
  while (pos <= signature_header.size()) {
    std::size_t end = signature_header.find(' ', pos);
    if (end == std::string_view::npos) end = signature_header.size();
    const std::string_view entry = signature_header.substr(pos, end - pos);
    // Every entry is looked at, so the time taken does not tell which one matched.
    if (entry.size() == expected.size() &&
        CRYPTO_memcmp(entry.data(), expected.data(), expected.size()) == 0) {
      ok = true;
    }
    pos = end + 1;
  }
  return ok;
}

}  // namespace flywatch::alert
