// The Shtrih-M register the fake speaks (tspiot-kkt.md §B.5), as a pure state machine: bytes from
// the host in, bytes to the host out. The piotd_fake_kkt binary puts it behind a pseudo-terminal
// and a TCP port; unit tests put it behind an in-memory transport. Faults are set per count.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "protocol/kkt/shtrih_command.hpp"
#include "protocol/kkt/shtrih_frame.hpp"

namespace piotd::fakes {

struct KktFaults {
    int nak_commands = 0;     // answer the next N command frames with NAK (host resends)
    int drop_acks = 0;        // execute the next N commands without sending their ACK
    int corrupt_answers = 0;  // send the next N answer frames with a wrong LRC
    int garbage_answers = 0;  // put noise bytes before the next N answers
    int hold_answers = 0;     // ACK, execute, but send the answer only when the host ENQs
    int hold_close = 0;       // the same for the next N FF45 only (kill -9 while it prints)
    int silence = 0;          // ignore the next N things the host sends (no ACK/NAK/answer)
    int silence_after = -1;   // execute N more commands, then go silent (link lost mid-receipt)
    int busy = 0;             // answer the next N commands with 50h "printing"
    bool fn_full = false;     // FN memory full: FF01 warns, opening a receipt fails with 14h
    bool refuse_all_codes = false;          // FF61 says every code failed the crypto check
    std::vector<std::string> refuse_codes;  // codes (substring match) FF61 refuses
    int fail_close = 0;                     // the next N FF45 fail with 6Bh "no paper"
};

struct KktLoggedPosition {
    std::string name;  // as sent (CP1251 bytes, ASCII in tests)
    std::uint64_t price = 0;
    std::uint64_t quantity = 0;
    std::uint8_t tax_rate = 0;
    std::uint8_t item_sign = 0;
    std::string code;                   // bound by FF67
    std::vector<std::uint8_t> tag1260;  // the TLV sent by FF4D
    std::string tag1265;                // 1265 inside it, when parseable
};

struct KktLoggedReceipt {
    std::string state = "open";  // open, closed, cancelled
    std::vector<KktLoggedPosition> positions;
    std::uint64_t cash = 0;
    std::uint64_t electronic = 0;
    std::uint32_t document_number = 0;
};

class FakeKktRegister {
public:
    explicit FakeKktRegister(std::string fn_number = "9999078900012345");

    // Bytes from the host; returns the bytes to send back.
    std::vector<std::uint8_t> on_bytes(std::span<const std::uint8_t> bytes);
    // The host's connection went away (TCP close): drop a half-read frame.
    void reset_link();

    KktFaults& faults() { return faults_; }
    const std::vector<KktLoggedReceipt>& receipts() const { return receipts_; }
    std::uint64_t commands() const { return commands_; }
    std::map<std::string, std::uint64_t> command_counts() const { return command_counts_; }
    bool receipt_open() const { return receipt_open_; }
    // {"fnNumber":…,"receiptOpen":…,"receipts":[…],"commands":{…},"faults":{…}}
    std::string log_json() const;

private:
    std::vector<std::uint8_t> execute(std::span<const std::uint8_t> payload);
    void send_answer(std::vector<std::uint8_t>& out);

    std::string fn_number_;
    protocol::shtrih::FrameDecoder decoder_;
    KktFaults faults_;
    std::vector<std::uint8_t> pending_;  // answer not yet acknowledged by the host
    bool has_pending_ = false;
    bool receipt_open_ = false;
    std::vector<KktLoggedReceipt> receipts_;
    std::vector<std::string> checked_codes_;   // FF61 done, awaiting FF69
    std::vector<std::string> accepted_codes_;  // accepted by FF69, not yet bound
    std::uint32_t next_document_ = 100;
    std::uint64_t commands_ = 0;
    std::map<std::string, std::uint64_t> command_counts_;
};

}  // namespace piotd::fakes
