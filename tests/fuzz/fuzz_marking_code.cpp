// libFuzzer target: protocol::parse_marking_code on both input channels.
// Invariants on success: ki() is a prefix of full(), full() fits kMaxCodeLength, and parsing
// full() again succeeds with the same ki().
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "protocol/codes/marking_code.hpp"

namespace {

using piotd::protocol::InputChannel;
using piotd::protocol::kMaxCodeLength;
using piotd::protocol::parse_marking_code;

[[noreturn]] void fail(const char* what, std::string_view input) {
    std::fprintf(stderr, "invariant violated: %s (input %zu bytes)\n", what, input.size());
    std::abort();
}

void check(std::string_view input, InputChannel channel) {
    const auto result = parse_marking_code(input, channel);
    if (!result) return;
    const auto& code = result.code;
    const std::string_view full = code.full();
    const std::string_view ki = code.ki();
    if (full.size() > kMaxCodeLength) fail("full() longer than kMaxCodeLength", input);
    if (full.substr(0, ki.size()) != ki) fail("ki() is not a prefix of full()", input);
    const auto again = parse_marking_code(full, channel);
    if (!again) fail("re-parsing full() failed", input);
    if (again.code.ki() != ki) fail("re-parsing full() gave another ki()", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    check(input, InputChannel::text);
    check(input, InputChannel::serial);
    return 0;
}
