// libFuzzer target: the Shtrih-M streaming frame decoder and the reply/request decoders behind
// it (protocol/kkt/shtrih_*.hpp), on hostile serial bytes. Every frame the decoder accepts must be
// at most 255 bytes, re-encode to the bytes that carried it, and decode back to itself; every
// reply decoder must stay within its input.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "protocol/kkt/ffd_tlv.hpp"
#include "protocol/kkt/shtrih_command.hpp"
#include "protocol/kkt/shtrih_frame.hpp"
#include "protocol/kkt/shtrih_reply.hpp"

namespace {

using namespace piotd::protocol;
using namespace piotd::protocol::shtrih;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
}

void decode_everything(std::span<const std::uint8_t> payload) {
    if (const auto request = parse_request(payload)) {
        if (request->data.size() >= payload.size()) fail("request data not inside the payload");
    }
    const auto reply = parse_reply(payload);
    if (!reply) return;
    const auto data = reply->data;
    decode_short_status(data);
    decode_device_status(data);
    decode_fn_status(data);
    decode_fn_number(data);
    decode_accept_result(data);
    decode_bind_result(data);
    decode_close_result(data);
    decode_marking_status(data);
    if (const auto check = decode_marking_check(data)) {
        marking_check_refused(*check);
        const auto again = decode_marking_check(encode_marking_check(*check));
        if (!again || again->item_result != check->item_result ||
            again->local_result != check->local_result) {
            fail("marking check does not round-trip");
        }
    }
    parse_tlvs(data);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FrameDecoder decoder;
    for (std::size_t i = 0; i < size; ++i) {
        auto event = decoder.push(data[i]);
        if (!event) continue;
        if (event->kind == FrameEventKind::control) {
            if (event->control != kAck && event->control != kNak && event->control != kEnq) {
                fail("control event with another byte");
            }
            continue;
        }
        const auto& payload = event->payload;
        if (payload.empty() || payload.size() > kMaxPayload) fail("frame size out of bounds");
        if (event->kind == FrameEventKind::bad_lrc) continue;
        // A good frame ends at byte i: it must be exactly what encode_frame makes of it.
        const auto frame = encode_frame(payload);
        if (!frame || frame->size() > i + 1) fail("frame longer than its input");
        if (!std::equal(frame->begin(), frame->end(), data + i + 1 - frame->size())) {
            fail("frame does not re-encode to its bytes");
        }
        FrameDecoder again;
        std::vector<FrameEvent> events;
        for (const auto b : *frame) {
            if (auto e = again.push(b)) events.push_back(std::move(*e));
        }
        if (events.size() != 1 || events[0].kind != FrameEventKind::frame ||
            events[0].payload != payload) {
            fail("re-encoded frame does not decode to itself");
        }
        decode_everything(payload);
    }
    decoder.reset();
    return 0;
}
