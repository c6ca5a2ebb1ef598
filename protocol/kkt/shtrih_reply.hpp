// Shtrih-M replies (tspiot-kkt.md §B.2.1, §B.2.3): STX LEN CMD ERR [DATA] LRC. When ERR ≠ 0
// only CMD and ERR come. Decoders take the DATA after ERR and check every length: a short or
// hostile reply gives nothing, never an overread. Encoders are the emulator's side.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocol/kkt/shtrih_command.hpp"

namespace piotd::protocol::shtrih {

struct ReplyView {
    std::uint16_t raw_command = 0;
    std::uint8_t error = 0;
    std::span<const std::uint8_t> data;
};
// Nothing when the payload is too short to hold CMD and ERR.
std::optional<ReplyView> parse_reply(std::span<const std::uint8_t> payload);
// CMD ERR DATA (the emulator's answers).
std::vector<std::uint8_t> encode_reply(Command command, std::uint8_t error,
                                       std::span<const std::uint8_t> data = {});

// 10h. The mode's low nibble is the mode proper (2 shift open, 3 shift over 24 h, 4 shift
// closed, 8 document open), the high nibble its state.
struct ShortStatus {
    std::uint8_t operator_number = 0;
    std::uint16_t flags = 0;
    std::uint8_t mode = 0;
    std::uint8_t submode = 0;
    std::uint8_t mode_proper() const { return mode & 0x0F; }
    bool document_open() const { return mode_proper() == 8; }
};
inline constexpr std::uint8_t kModeShiftOpen = 2;
inline constexpr std::uint8_t kModeShiftExpired = 3;
inline constexpr std::uint8_t kModeShiftClosed = 4;
inline constexpr std::uint8_t kModeDocumentOpen = 8;
std::optional<ShortStatus> decode_short_status(std::span<const std::uint8_t> data);
std::vector<std::uint8_t> encode_short_status(const ShortStatus& status);

// 11h, the full status (46 bytes; fields named "FM"/"EKLZ" there are obsolete on FN registers
// and skipped). Layout as a public Shtrih-M log parser reads it.
struct DeviceStatus {
    std::uint8_t operator_number = 0;
    char firmware[2] = {'0', '0'};  // version as two characters, e.g. 'C' '2'
    std::uint16_t firmware_build = 0;
    std::uint16_t document_number = 0;  // current document
    std::uint16_t flags = 0;
    std::uint8_t mode = 0;  // as in ShortStatus
    std::uint8_t submode = 0;
    std::uint8_t date[3] = {};  // DD MM YY
    std::uint8_t time[3] = {};  // HH MM SS
    std::uint32_t serial_number = 0;
    std::uint16_t shift_number = 0;  // last closed shift
    std::uint64_t inn = 0;           // 6 bytes
    std::uint8_t mode_proper() const { return mode & 0x0F; }
};
std::optional<DeviceStatus> decode_device_status(std::span<const std::uint8_t> data);
std::vector<std::uint8_t> encode_device_status(const DeviceStatus& status);

// FF01 (the vector in §B.2.1 is the golden test).
struct FnStatus {
    std::uint8_t state = 0;     // bit0 configured, bit1 fiscal mode, bit2 post-fiscal, bit3 archive
    std::uint8_t document = 0;  // open document type (0 none)
    std::uint8_t document_data = 0;
    bool shift_open = false;
    std::uint8_t warnings =
        0;  // bit0 replace soon, bit1 resource 30 days, bit2 memory 90 %, bit3 OFD timeout
    std::uint8_t date[3] = {};  // YY MM DD as sent
    std::uint8_t time[2] = {};  // HH MM
    std::string fn_number;      // 16 ASCII digits
    std::uint32_t last_document = 0;
    bool memory_nearly_full() const { return (warnings & 0x04) != 0; }
};
std::optional<FnStatus> decode_fn_status(std::span<const std::uint8_t> data);
std::vector<std::uint8_t> encode_fn_status(const FnStatus& status);

// FF02: 16 ASCII characters. Only digits are accepted.
std::optional<std::string> decode_fn_number(std::span<const std::uint8_t> data);

// FF61.
struct MarkingCheck {
    std::uint8_t local_result = 0;  // tag 2004: bit0 checked by the FN key, bit1 positive
    std::uint8_t local_reason =
        0;                         // 0 checked; 1 type not checkable; 2 no key; 3 no 91/92; 4 other
    std::uint8_t code_type = 0;    // tag 2100
    bool online = false;           // extra data present (not autonomous)
    std::uint8_t online_code = 0;  // FN code of the online request (0xFF: server silent)
    std::uint8_t item_result = 0;  // tag 2106
    std::vector<std::uint8_t> oism_tlv;
};
std::optional<MarkingCheck> decode_marking_check(std::span<const std::uint8_t> data);
std::vector<std::uint8_t> encode_marking_check(const MarkingCheck& check);
// The register says the code must not be sold: the FN's own crypto check failed (2004 checked
// but not positive), the OISM says the crypto check failed (2106 bit0 without bit1), or it says
// the planned status is wrong (2106 bit2 without bit3).
bool marking_check_refused(const MarkingCheck& check);

// FF69: tag 2106 when the register sends it.
std::optional<std::uint8_t> decode_accept_result(std::span<const std::uint8_t> data);

// FF67.
struct BindResult {
    std::uint16_t product_code = 0;  // first 2 bytes of «код товара»
    std::uint8_t datamatrix_type = 0;
};
std::optional<BindResult> decode_bind_result(std::span<const std::uint8_t> data);

// FF45.
struct CloseResult {
    std::uint64_t change_kopecks = 0;
    std::uint32_t document_number = 0;
    std::uint32_t fiscal_sign = 0;
};
std::optional<CloseResult> decode_close_result(std::span<const std::uint8_t> data);
std::vector<std::uint8_t> encode_close_result(const CloseResult& result);

// FF70 (field widths after the first six bytes are not settled by our copy of the spec: the
// last two bytes are read as a 16-bit queue length).
struct MarkingStatus {
    std::uint8_t check_state =
        0;  // 0 table full, 1 none pending, 2 KM passed, 3 request formed, 4 answer passed
    std::uint8_t notification_state = 0;
    std::uint8_t permission_flags = 0;
    std::uint8_t saved_results = 0;
    std::uint8_t codes_in_notification = 0;
    std::uint8_t fill_warning = 0;  // 0 < 50 % … 4 full
    std::uint16_t queue_length = 0;
};
std::optional<MarkingStatus> decode_marking_status(std::span<const std::uint8_t> data);
std::vector<std::uint8_t> encode_marking_status(const MarkingStatus& status);

}  // namespace piotd::protocol::shtrih
