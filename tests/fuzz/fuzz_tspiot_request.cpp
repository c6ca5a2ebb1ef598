// libFuzzer target: a ТС ПИоТ codes/check request body (protocol::decode_tspiot_check_request:
// JSON, base64 codes with GS inside, v3 objects, client_info) and every decoded code through
// protocol::parse_marking_code, as the listener does.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "protocol/codes/marking_code.hpp"
#include "protocol/tspiot/tspiot_answer.hpp"

namespace {

constexpr std::size_t kMaxCodes = 10'000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace piotd::protocol;
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const TsPiotCheckRequest request = decode_tspiot_check_request(body, kMaxCodes);
    if (request.error != RequestError::none) return 0;
    if (request.codes.size() > kMaxCodes) {
        std::fprintf(stderr, "decoder accepted %zu codes\n", request.codes.size());
        std::abort();
    }
    for (const TsPiotCodeEntry& entry : request.codes) {
        if (entry.code.size() > kMaxCodeLength) {
            std::fprintf(stderr, "decoded code longer than kMaxCodeLength\n");
            std::abort();
        }
        (void)parse_marking_code(entry.code, InputChannel::serial);
    }
    return 0;
}
