#pragma once
// Internal to weft-runtime: the WASI 0.2 WIT types the host's functions take and return (host_types.hpp spelling),
// transcribed from the wasi 0.2 packages (`wasi:io`, `wasi:clocks`, `wasi:filesystem`, `wasi:http`, …; identical
// for every 0.2.Z). Names and case order are the WIT's: the linker compares a guest's declared types against these.

#include "weft/runtime/host_types.hpp"

namespace weft::runtime::wasi {

using namespace wit;  // NOLINT: the spelling of WIT types is this header's vocabulary

// ---- resources (named as HostInterface::resource names them: unversioned interface / resource) ----
#define WEFT_WASI_RESOURCE(cpp, wit_name) \
  struct cpp { static constexpr std::string_view name = wit_name; }
WEFT_WASI_RESOURCE(IoError, "wasi:io/error/error");
WEFT_WASI_RESOURCE(Pollable, "wasi:io/poll/pollable");
WEFT_WASI_RESOURCE(InputStream, "wasi:io/streams/input-stream");
WEFT_WASI_RESOURCE(OutputStream, "wasi:io/streams/output-stream");
WEFT_WASI_RESOURCE(TerminalInput, "wasi:cli/terminal-input/terminal-input");
WEFT_WASI_RESOURCE(TerminalOutput, "wasi:cli/terminal-output/terminal-output");
WEFT_WASI_RESOURCE(Network, "wasi:sockets/network/network");
WEFT_WASI_RESOURCE(Descriptor, "wasi:filesystem/types/descriptor");
WEFT_WASI_RESOURCE(DirectoryEntryStream, "wasi:filesystem/types/directory-entry-stream");
WEFT_WASI_RESOURCE(Fields, "wasi:http/types/fields");
WEFT_WASI_RESOURCE(OutgoingRequest, "wasi:http/types/outgoing-request");
WEFT_WASI_RESOURCE(OutgoingBody, "wasi:http/types/outgoing-body");
WEFT_WASI_RESOURCE(FutureIncomingResponse, "wasi:http/types/future-incoming-response");
WEFT_WASI_RESOURCE(IncomingResponse, "wasi:http/types/incoming-response");
WEFT_WASI_RESOURCE(IncomingBody, "wasi:http/types/incoming-body");
WEFT_WASI_RESOURCE(FutureTrailers, "wasi:http/types/future-trailers");
WEFT_WASI_RESOURCE(RequestOptions, "wasi:http/types/request-options");
#undef WEFT_WASI_RESOURCE

// ---- wasi:io, wasi:clocks ----
struct StreamError {
  std::optional<uint32_t> failed_with;  // last-operation-failed: the rep of its io error; none: closed

  static CTypePtr type() { return variant({{"last-operation-failed", of<Own<IoError>>()}, {"closed", nullptr}}); }
  static StreamError from_val(const Val& v) {
    if (v.index == 0) return {uint32_t(v.items.at(0).num)};
    return {};
  }
  Val to_val() && { return failed_with ? Val::cases(0, Val::handle(*failed_with)) : Val::cases(1); }
};
struct Datetime {
  uint64_t seconds = 0;
  uint32_t nanoseconds = 0;

  static CTypePtr type() { return record({{"seconds", of<uint64_t>()}, {"nanoseconds", of<uint32_t>()}}); }
  static Datetime from_val(const Val& v) { return {v.items.at(0).num, uint32_t(v.items.at(1).num)}; }
  Val to_val() && { return Val::record({Val::number(seconds), Val::number(nanoseconds)}); }
};

// ---- wasi:filesystem/types ----
enum class DescriptorType : uint32_t {
  unknown, block_device, character_device, directory, fifo, symbolic_link, regular_file, socket,
};
inline CTypePtr wit_type(DescriptorType) {
  return enumeration({"unknown", "block-device", "character-device", "directory", "fifo", "symbolic-link",
                      "regular-file", "socket"});
}
struct DescriptorFlags : FlagSet<DescriptorFlags> {
  static constexpr uint64_t read = 1, write = 2, file_integrity_sync = 4, data_integrity_sync = 8,
                            requested_write_sync = 16, mutate_directory = 32;
  static CTypePtr type() {
    return flags({"read", "write", "file-integrity-sync", "data-integrity-sync", "requested-write-sync",
                  "mutate-directory"});
  }
};
struct PathFlags : FlagSet<PathFlags> {
  static constexpr uint64_t symlink_follow = 1;
  static CTypePtr type() { return flags({"symlink-follow"}); }
};
struct OpenFlags : FlagSet<OpenFlags> {
  static constexpr uint64_t create = 1, directory = 2, exclusive = 4, truncate = 8;
  static CTypePtr type() { return flags({"create", "directory", "exclusive", "truncate"}); }
};
struct DescriptorStat {  // a result only
  DescriptorType type_of = DescriptorType::unknown;
  uint64_t link_count = 0;
  uint64_t size = 0;  // bytes
  std::optional<Datetime> data_access_timestamp, data_modification_timestamp, status_change_timestamp;

  static CTypePtr type() {
    return record({{"type", of<DescriptorType>()},
                   {"link-count", of<uint64_t>()},
                   {"size", of<uint64_t>()},
                   {"data-access-timestamp", of<Option<Datetime>>()},
                   {"data-modification-timestamp", of<Option<Datetime>>()},
                   {"status-change-timestamp", of<Option<Datetime>>()}});
  }
  Val to_val() && {
    return Val::record({Conv<DescriptorType>::to(type_of), Val::number(link_count), Val::number(size),
                        Conv<std::optional<Datetime>>::to(data_access_timestamp),
                        Conv<std::optional<Datetime>>::to(data_modification_timestamp),
                        Conv<std::optional<Datetime>>::to(status_change_timestamp)});
  }
};
struct NewTimestamp {  // a parameter only
  enum class Case : uint32_t { no_change, now, timestamp };
  Case change = Case::no_change;
  Datetime at;  // when `timestamp`

  static CTypePtr type() { return variant({{"no-change", nullptr}, {"now", nullptr}, {"timestamp", of<Datetime>()}}); }
  static NewTimestamp from_val(const Val& v) {
    NewTimestamp t{Case(v.index), {}};
    if (t.change == Case::timestamp) t.at = Datetime::from_val(v.items.at(0));
    return t;
  }
};
struct DirectoryEntry {  // a result only
  DescriptorType type_of = DescriptorType::unknown;
  std::string name;

  static CTypePtr type() { return record({{"type", of<DescriptorType>()}, {"name", of<std::string>()}}); }
  Val to_val() && { return Val::record({Conv<DescriptorType>::to(type_of), Val::string(std::move(name))}); }
};
/// `error-code`, in WIT case order.
enum class FsErrorCode : uint32_t {
  access = 0, would_block, already, bad_descriptor, busy, deadlock, quota, exist, file_too_large,
  illegal_byte_sequence, in_progress, interrupted, invalid, io, is_directory, loop, too_many_links, message_size,
  name_too_long, no_device, no_entry, no_lock, insufficient_memory, insufficient_space, not_directory, not_empty,
  not_recoverable, unsupported, no_tty, no_such_device, overflow, not_permitted, pipe, read_only, invalid_seek,
  text_file_busy, cross_device,
};
inline CTypePtr wit_type(FsErrorCode) {
  return enumeration({"access", "would-block", "already", "bad-descriptor", "busy", "deadlock", "quota", "exist",
                      "file-too-large", "illegal-byte-sequence", "in-progress", "interrupted", "invalid", "io",
                      "is-directory", "loop", "too-many-links", "message-size", "name-too-long", "no-device",
                      "no-entry", "no-lock", "insufficient-memory", "insufficient-space", "not-directory",
                      "not-empty", "not-recoverable", "unsupported", "no-tty", "no-such-device", "overflow",
                      "not-permitted", "pipe", "read-only", "invalid-seek", "text-file-busy", "cross-device"});
}
enum class Advice : uint32_t { normal, sequential, random, will_need, dont_need, no_reuse };
inline CTypePtr wit_type(Advice) {
  return enumeration({"normal", "sequential", "random", "will-need", "dont-need", "no-reuse"});
}
struct MetadataHashValue {  // a result only
  uint64_t lower = 0, upper = 0;

  static CTypePtr type() { return record({{"lower", of<uint64_t>()}, {"upper", of<uint64_t>()}}); }
  Val to_val() && { return Val::record({Val::number(lower), Val::number(upper)}); }
};
template <class T> using FsResult = Res<T, FsErrorCode>;

// ---- wasi:http/types ----
struct Method {  // a parameter only
  enum class Case : uint32_t { get, head, post, put, delete_, connect, options, trace, patch, other };
  Case method = Case::get;
  std::string other;  // when `other`

  static CTypePtr type() {
    return variant({{"get", nullptr}, {"head", nullptr}, {"post", nullptr}, {"put", nullptr}, {"delete", nullptr},
                    {"connect", nullptr}, {"options", nullptr}, {"trace", nullptr}, {"patch", nullptr},
                    {"other", of<std::string>()}});
  }
  static Method from_val(const Val& v) {
    Method m{Case(v.index), {}};
    if (m.method == Case::other) m.other = v.items.at(0).str;
    return m;
  }
};
struct Scheme {  // a parameter only
  enum class Case : uint32_t { http, https, other };
  Case scheme = Case::https;
  std::string other;  // when `other`

  static CTypePtr type() { return variant({{"HTTP", nullptr}, {"HTTPS", nullptr}, {"other", of<std::string>()}}); }
  static Scheme from_val(const Val& v) {
    Scheme s{Case(v.index), {}};
    if (s.scheme == Case::other) s.other = v.items.at(0).str;
    return s;
  }
};
struct DnsErrorPayload {
  static CTypePtr type() {
    return record({{"rcode", of<Option<std::string>>()}, {"info-code", of<Option<uint16_t>>()}});
  }
};
struct TlsAlertReceivedPayload {
  static CTypePtr type() {
    return record({{"alert-id", of<Option<uint8_t>>()}, {"alert-message", of<Option<std::string>>()}});
  }
};
struct FieldSizePayload {
  static CTypePtr type() {
    return record({{"field-name", of<Option<std::string>>()}, {"field-size", of<Option<uint32_t>>()}});
  }
};
/// `error-code`, a result only: of its cases the host produces `HTTP-request-denied` (a refused capability) and
/// `internal-error` (every other failure, with its message).
class HttpErrorCode {
 public:
  HttpErrorCode() = default;  // internal-error without a message
  static HttpErrorCode request_denied() { return HttpErrorCode(kRequestDenied, std::nullopt); }
  static HttpErrorCode internal_error(std::optional<std::string> message) {
    return HttpErrorCode(kInternalError, std::move(message));
  }

  static CTypePtr type() {
    return variant({{"DNS-timeout", nullptr},
                    {"DNS-error", of<DnsErrorPayload>()},
                    {"destination-not-found", nullptr},
                    {"destination-unavailable", nullptr},
                    {"destination-IP-prohibited", nullptr},
                    {"destination-IP-unroutable", nullptr},
                    {"connection-refused", nullptr},
                    {"connection-terminated", nullptr},
                    {"connection-timeout", nullptr},
                    {"connection-read-timeout", nullptr},
                    {"connection-write-timeout", nullptr},
                    {"connection-limit-reached", nullptr},
                    {"TLS-protocol-error", nullptr},
                    {"TLS-certificate-error", nullptr},
                    {"TLS-alert-received", of<TlsAlertReceivedPayload>()},
                    {"HTTP-request-denied", nullptr},
                    {"HTTP-request-length-required", nullptr},
                    {"HTTP-request-body-size", of<Option<uint64_t>>()},
                    {"HTTP-request-method-invalid", nullptr},
                    {"HTTP-request-URI-invalid", nullptr},
                    {"HTTP-request-URI-too-long", nullptr},
                    {"HTTP-request-header-section-size", of<Option<uint32_t>>()},
                    {"HTTP-request-header-size", of<Option<FieldSizePayload>>()},
                    {"HTTP-request-trailer-section-size", of<Option<uint32_t>>()},
                    {"HTTP-request-trailer-size", of<FieldSizePayload>()},
                    {"HTTP-response-incomplete", nullptr},
                    {"HTTP-response-header-section-size", of<Option<uint32_t>>()},
                    {"HTTP-response-header-size", of<FieldSizePayload>()},
                    {"HTTP-response-body-size", of<Option<uint64_t>>()},
                    {"HTTP-response-trailer-section-size", of<Option<uint32_t>>()},
                    {"HTTP-response-trailer-size", of<FieldSizePayload>()},
                    {"HTTP-response-transfer-coding", of<Option<std::string>>()},
                    {"HTTP-response-content-coding", of<Option<std::string>>()},
                    {"HTTP-response-timeout", nullptr},
                    {"HTTP-upgrade-failed", nullptr},
                    {"HTTP-protocol-error", nullptr},
                    {"loop-detected", nullptr},
                    {"configuration-error", nullptr},
                    {"internal-error", of<Option<std::string>>()}});
  }
  Val to_val() && {
    if (index_ == kInternalError) return Val::cases(index_, Conv<std::optional<std::string>>::to(std::move(message_)));
    return Val::cases(index_);
  }

 private:
  static constexpr uint32_t kRequestDenied = 15, kInternalError = 38;  // case indices
  HttpErrorCode(uint32_t index, std::optional<std::string> message) : index_(index), message_(std::move(message)) {}
  uint32_t index_ = kInternalError;
  std::optional<std::string> message_;
};
struct HeaderError {  // a result only
  enum class Case : uint32_t { invalid_syntax, forbidden, immutable };
  Case error = Case::invalid_syntax;

  static CTypePtr type() {
    return variant({{"invalid-syntax", nullptr}, {"forbidden", nullptr}, {"immutable", nullptr}});
  }
  Val to_val() && { return Val::cases(uint32_t(error)); }
};
using FieldEntries = List<Tuple<std::string, Bytes>>;  // list<tuple<field-name, field-value>>

}  // namespace weft::runtime::wasi
