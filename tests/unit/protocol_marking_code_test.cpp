// Marking-code parsing (protocol/codes/marking_code.hpp): the public vectors field by field, every
// vector of tests/data/codes through every input artifact and through GS loss, the rejections,
// and hostile input.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/codes/code_normaliser.hpp"
#include "protocol/codes/gtin.hpp"
#include "protocol/codes/marking_code.hpp"
#include "protocol/codes/tobacco_price.hpp"

using namespace piotd::protocol;

namespace {

constexpr std::string_view kGsMark = "␝";

// "␝" stands for GS in test strings: "\x1d93" would be read as a single hex escape.
std::string gs(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        if (text.substr(i).starts_with(kGsMark)) {
            out += kGs;
            i += kGsMark.size();
        } else {
            out += text[i++];
        }
    }
    return out;
}

// The other way round, for failure messages.
std::string visible(std::string_view bytes) {
    std::string out;
    for (const char c : bytes) {
        if (c == kGs) {
            out += kGsMark;
        } else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
            static constexpr char kHex[] = "0123456789ABCDEF";
            out += "\\x";
            out += kHex[static_cast<unsigned char>(c) >> 4];
            out += kHex[static_cast<unsigned char>(c) & 15];
        } else {
            out += c;
        }
    }
    return out;
}

std::string without_gs(std::string_view code) {
    std::string out;
    for (const char c : code) {
        if (c != kGs) out += c;
    }
    return out;
}

std::string replace_gs(std::string_view code, std::string_view with) {
    std::string out;
    for (const char c : code) {
        if (c == kGs) {
            out += with;
        } else {
            out += c;
        }
    }
    return out;
}

std::vector<std::vector<std::string>> load_tsv(const std::string& name, std::size_t columns) {
    std::ifstream in(std::string(PIOTD_TEST_DATA_DIR) + "/codes/" + name);
    REQUIRE_MESSAGE(in.good(), "cannot open tests/data/codes/" << name);
    std::vector<std::vector<std::string>> rows;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> fields;
        std::stringstream stream(line);
        std::string field;
        while (std::getline(stream, field, '\t')) fields.push_back(field);
        REQUIRE_MESSAGE(fields.size() == columns, "bad line in " << name << ": " << line);
        rows.push_back(std::move(fields));
    }
    return rows;
}

struct ValidVector {
    std::string group;
    std::string code;  // with real GS bytes
    std::string gs_less;
    std::string flags;
    std::string source;
};

const std::vector<ValidVector>& valid_vectors() {
    static const std::vector<ValidVector> vectors = [] {
        std::vector<ValidVector> out;
        for (auto& row : load_tsv("valid.tsv", 5)) {
            out.push_back({row[0], gs(row[1]), row[2], row[3], row[4]});
        }
        return out;
    }();
    return vectors;
}

bool has_flag(const ValidVector& v, std::string_view flag) {
    return v.flags.find(flag) != std::string::npos;
}

std::optional<std::uint32_t> mrp_flag(const ValidVector& v) {
    const auto at = v.flags.find("mrp=");
    if (at == std::string::npos) return std::nullopt;
    return static_cast<std::uint32_t>(std::stoul(v.flags.substr(at + 4)));
}

// An independent reading of a well-formed code, to compare the parser with: split at GS, cut
// the first element into 01/GTIN/21/serial and walk the rest by the AIs the vectors use.
struct Expected {
    std::string ki, gtin, serial;
    std::array<std::string, static_cast<std::size_t>(Ai::count)> fields{};
    bool pack = false;
};

Expected reference_split(std::string_view code) {
    Expected e;
    auto set = [&](Ai ai, std::string_view value) {
        e.fields[static_cast<std::size_t>(ai)] = std::string(value);
    };
    if (code.size() == 29 && code.find(kGs) == std::string_view::npos &&
        code.substr(16, 2) != "21") {
        e.pack = true;
        e.ki = code.substr(0, 21);
        e.gtin = code.substr(0, 14);
        e.serial = code.substr(14, 7);
        set(Ai::gtin, e.gtin);
        set(Ai::serial, e.serial);
        return e;
    }
    std::vector<std::string_view> elements;
    std::size_t start = 0;
    while (true) {
        const std::size_t gs_at = code.find(kGs, start);
        elements.push_back(code.substr(start, gs_at - start));
        if (gs_at == std::string_view::npos) break;
        start = gs_at + 1;
    }
    e.ki = elements[0];
    e.gtin = elements[0].substr(2, 14);
    e.serial = elements[0].substr(18);
    set(Ai::gtin, e.gtin);
    set(Ai::serial, e.serial);
    for (std::size_t i = 1; i < elements.size(); ++i) {
        std::string_view rest = elements[i];
        while (!rest.empty()) {
            auto fixed = [&](Ai ai, std::size_t ai_length) {
                set(ai, rest.substr(ai_length, 6));
                rest.remove_prefix(ai_length + 6);
            };
            auto variable = [&](Ai ai, std::size_t ai_length) {
                set(ai, rest.substr(ai_length));
                rest = {};
            };
            if (rest.starts_with("3103")) {
                fixed(Ai::weight, 4);
            } else if (rest.starts_with("335")) {
                fixed(Ai::volume, 4);
            } else if (rest.starts_with("17")) {
                fixed(Ai::expiry, 2);
            } else if (rest.starts_with("11")) {
                fixed(Ai::production, 2);
            } else if (rest.starts_with("91")) {
                variable(Ai::crypto_key, 2);
            } else if (rest.starts_with("92")) {
                variable(Ai::crypto_code, 2);
            } else if (rest.starts_with("93")) {
                variable(Ai::short_crypto, 2);
            } else if (rest.starts_with("240")) {
                variable(Ai::tnved, 3);
            } else if (rest.starts_with("8005")) {
                variable(Ai::block_price, 4);
            } else if (rest.starts_with("10")) {
                variable(Ai::batch, 2);
            } else {
                FAIL("the reference split does not know the AI in " << visible(rest));
                rest = {};
            }
        }
    }
    return e;
}

std::string repairs_text(const Repairs& r) {
    std::string out;
    auto add = [&](bool on, std::string_view name) {
        if (!on) return;
        if (!out.empty()) out += ',';
        out += name;
    };
    add(r.aim_prefix_stripped, "aim");
    add(r.fnc1_converted, "fnc1");
    add(r.leading_gs_dropped, "leading_gs");
    add(r.gs_escape_decoded, "escape");
    add(r.layout_repaired, "layout");
    add(r.gs_recovered, "gs_recovered");
    add(r.suffix_stripped, "suffix");
    return out;
}

// Everything the parser says about a code, compared with the reference split.
void check_fields(const MarkingCode& code, std::string_view expected_full) {
    const Expected e = reference_split(expected_full);
    CHECK(visible(code.full()) == visible(expected_full));
    CHECK(code.kind() == (e.pack ? CodeKind::tobacco_pack : CodeKind::gs1));
    CHECK(code.ki() == e.ki);
    CHECK(code.print_view() == e.ki);
    CHECK(code.gtin() == e.gtin);
    CHECK(code.serial() == e.serial);
    for (std::size_t i = 0; i < static_cast<std::size_t>(Ai::count); ++i) {
        CAPTURE(i);
        CHECK(code.field(static_cast<Ai>(i)) == e.fields[i]);
        CHECK(code.has(static_cast<Ai>(i)) == !e.fields[i].empty());
    }
    CHECK(code.has_crypto_tail() ==
          (e.pack || code.has(Ai::crypto_code) || code.has(Ai::short_crypto)));
}

ParseResult parse(std::string_view input, InputChannel channel = InputChannel::text) {
    return parse_marking_code(input, channel);
}

void check_rejected(const ParseResult& r) {
    CHECK(r.code.full().empty());
    CHECK(r.code.ki().empty());
    CHECK(r.code.gtin().empty());
    CHECK(!r.code.pack_mrp());
}

}  // namespace

TEST_SUITE("protocol.marking_code") {
    TEST_CASE("the vector file has at least 60 codes across the groups") {
        const auto& vectors = valid_vectors();
        CHECK(vectors.size() >= 60);
        std::size_t packs = 0, l44 = 0, l88 = 0, short_tail = 0, ki_only = 0;
        for (const auto& v : vectors) {
            packs += v.gs_less == "pack";
            ki_only += v.gs_less == "ki_only";
            const Expected e = reference_split(v.code);
            l44 += e.fields[static_cast<std::size_t>(Ai::crypto_code)].size() == 44;
            l88 += e.fields[static_cast<std::size_t>(Ai::crypto_code)].size() == 88;
            short_tail += !e.fields[static_cast<std::size_t>(Ai::short_crypto)].empty();
        }
        CHECK(packs >= 5);
        CHECK(l44 >= 10);
        CHECK(l88 >= 5);
        CHECK(short_tail >= 25);
        CHECK(ki_only >= 5);
    }

    TEST_CASE("every vector parses field by field, unrepaired and idempotent") {
        for (const auto& v : valid_vectors()) {
            CAPTURE(v.source);
            CAPTURE(visible(v.code));
            for (const InputChannel channel : {InputChannel::text, InputChannel::serial}) {
                const ParseResult r = parse(v.code, channel);
                REQUIRE_MESSAGE(r, code_error_name(r.error));
                check_fields(r.code, v.code);
                CHECK(repairs_text(r.code.repairs()).empty());
                CHECK(r.code.gtin_check_digit_ok() == !has_flag(v, "gtin_check=bad"));
                CHECK(r.code.pack_mrp() == mrp_flag(v));
                CHECK(!r.code.crypto_code_upper_case());
                // Parsing full() again changes nothing: what is stored or forwarded re-parses.
                const ParseResult again = parse(r.code.full(), channel);
                REQUIRE(again);
                CHECK(again.code.full() == r.code.full());
                CHECK(again.code.ki() == r.code.ki());
            }
        }
    }

    TEST_CASE("§A.8 vectors, field by field by hand") {
        SUBCASE("dairy (#1, ESM 5.1)") {
            const auto r = parse(gs("0104670540176099215'W9Um␝93dGVz"));
            REQUIRE(r);
            CHECK(r.code.kind() == CodeKind::gs1);
            CHECK(r.code.ki() == "0104670540176099215'W9Um");
            CHECK(r.code.gtin() == "04670540176099");
            CHECK(r.code.serial() == "5'W9Um");
            CHECK(r.code.field(Ai::short_crypto) == "dGVz");
            CHECK(!r.code.has(Ai::crypto_key));
            CHECK(!r.code.has(Ai::crypto_code));
            CHECK(r.code.has_crypto_tail());
            CHECK(r.code.gtin_check_digit_ok());
            CHECK(r.code.full() ==
                  "0104670540176099215'W9Um\x1d"
                  "93dGVz");
            CHECK(r.code.full().size() == 31);
        }
        SUBCASE("dairy with weight (#2)") {
            const auto r = parse(gs("0104610053149777215d/wuU␝93dGVz␝3103123456"));
            REQUIRE(r);
            CHECK(r.code.serial() == "5d/wuU");
            CHECK(r.code.field(Ai::short_crypto) == "dGVz");
            CHECK(r.code.field(Ai::weight) == "123456");
            CHECK(r.code.full().size() == 42);
        }
        SUBCASE("beer with volume (#7)") {
            const auto r = parse(gs("0104610053147452215d,OiLl␝93dGVz␝3350123456"));
            REQUIRE(r);
            CHECK(r.code.serial() == "5d,OiLl");
            CHECK(r.code.field(Ai::volume) == "123456");
            CHECK(r.code.volume_decimals() == 0u);
            CHECK(!r.code.has(Ai::weight));
            const auto litres = parse(gs("0104610053147452215d,OiLl␝93dGVz␝3353000500"));
            REQUIRE(litres);
            CHECK(litres.code.volume_decimals() == 3u);
            CHECK(!r.code.block_price());
        }
        SUBCASE("light industry, 91 + 92 of 44 (#8)") {
            const auto r =
                parse(gs("0104669000322220215t*NH>t:ngCfH␝91FFD0␝92dGVzdBL8SAtwRqhp7H9rfyI"
                         "59GoJ8ec6X9GhckDf8JE="));
            REQUIRE(r);
            CHECK(r.code.ki() == "0104669000322220215t*NH>t:ngCfH");
            CHECK(r.code.serial() == "5t*NH>t:ngCfH");
            CHECK(r.code.field(Ai::crypto_key) == "FFD0");
            CHECK(r.code.field(Ai::crypto_code) == "dGVzdBL8SAtwRqhp7H9rfyI59GoJ8ec6X9GhckDf8JE=");
            CHECK(r.code.full().size() == 85);
        }
        SUBCASE("shoes, 92 of 88 (#11)") {
            const auto r = parse(
                gs("010460708021818721&dAIMqnpEQnQ!␝910058␝921gx+7D2jIWGSo6LLr1FMGiETo7Ez6k4ag9D8FZ"
                   "wEmJqIWtivlAGjqEP8OspoVeIKiP4OkzmSCzRXmEUygvkKQw=="));
            REQUIRE(r);
            CHECK(r.code.serial() == "&dAIMqnpEQnQ!");
            CHECK(r.code.field(Ai::crypto_key) == "0058");
            CHECK(r.code.field(Ai::crypto_code).size() == 88);
            CHECK(r.code.full().size() == 129);
        }
        SUBCASE("shoes with 240 (#13)") {
            const auto r = parse(
                gs("010467003301005321gJk6o54AQBJfX␝2406401␝91ffd0␝92LGYcm3FRQrRdNOO+8t0pz78QTyxxB"
                   "mYKhLXaAS03jKV7oy+DWGy1SeU+BZ8o7B8+hs9LvPdNA7B6NPGjrCm34A=="));
            REQUIRE(r);
            CHECK(r.code.ki() == "010467003301005321gJk6o54AQBJfX");
            CHECK(r.code.field(Ai::tnved) == "6401");
            CHECK(r.code.field(Ai::crypto_key) == "ffd0");
            CHECK(r.code.full().size() == 137);
        }
        SUBCASE("tobacco block (#14, ESM 5.8)") {
            const auto r = parse(gs("010461013628057121%798DM%␝8005090000␝93dGVz"));
            REQUIRE(r);
            CHECK(r.code.ki() == "010461013628057121%798DM%");
            CHECK(r.code.serial() == "%798DM%");
            CHECK(r.code.field(Ai::block_price) == "090000");
            CHECK(r.code.block_price() == 90000u);
            CHECK(r.code.field(Ai::short_crypto) == "dGVz");
            CHECK(!r.code.pack_mrp());
        }
        SUBCASE("tobacco pack (#15, ESM 5.10 / 5.11)") {
            const auto r = parse("04601653035829H;dV)bFABVUdGVz");
            REQUIRE(r);
            CHECK(r.code.kind() == CodeKind::tobacco_pack);
            CHECK(r.code.ki() == "04601653035829H;dV)bF");
            CHECK(r.code.print_view() == "04601653035829H;dV)bF");
            CHECK(r.code.gtin() == "04601653035829");
            CHECK(r.code.serial() == "H;dV)bF");
            CHECK(r.code.pack_mrp() == 8100u);
            CHECK(r.code.has_crypto_tail());
            CHECK(!r.code.has(Ai::short_crypto));
            CHECK(!r.code.block_price());
            CHECK(r.code.full() == "04601653035829H;dV)bFABVUdGVz");
            CHECK(parse("04601653035829H;dV)bFACVUdGVz").code.pack_mrp() == 14500u);
        }
        SUBCASE("NCP pack (#16): printView is the first 21") {
            const auto r = parse("00840147505712Zz;ZnRbAAAAdGVz");
            REQUIRE(r);
            CHECK(r.code.kind() == CodeKind::tobacco_pack);
            CHECK(r.code.print_view() == "00840147505712Zz;ZnRb");
            CHECK(r.code.pack_mrp() == 0u);
        }
        SUBCASE("ФНС sample with 240, 17 and 91 glued to the predefined 17 (#18)") {
            const auto r =
                parse(gs("010460406000600021N4N57RSCBUZTQ␝2403004002910161218␝"
                         "1724010191ffd0␝92tIAF/ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
                         "klmnopqrstuvwxyz0123456789+/ABCDEFGHIJKLmOX0Q=="));
            REQUIRE(r);
            CHECK(r.code.serial() == "N4N57RSCBUZTQ");
            CHECK(r.code.field(Ai::tnved) == "3004002910161218");
            CHECK(r.code.field(Ai::expiry) == "240101");
            CHECK(r.code.field(Ai::crypto_key) == "ffd0");
        }
        SUBCASE("КИ alone (#19) is what POS software sends to the LM") {
            const auto r = parse("0104670019034189215HDGZDLEP8ZXt");
            REQUIRE(r);
            CHECK(r.code.ki() == "0104670019034189215HDGZDLEP8ZXt");
            CHECK(r.code.serial() == "5HDGZDLEP8ZXt");
            CHECK(!r.code.has_crypto_tail());
            CHECK(!r.code.repairs().any());
        }
        SUBCASE("a bad GTIN check digit is reported, not refused (lm-api.md Appendix A)") {
            const auto r = parse("0104640023469822215c.222");
            REQUIRE(r);
            CHECK(!r.code.gtin_check_digit_ok());
            CHECK(r.code.gtin() == "04640023469822");
            CHECK(r.code.serial() == "5c.222");
            CHECK(!gtin_check_digit_valid("04640023469822"));
        }
    }

    TEST_CASE("every vector survives every input artifact") {
        struct Variant {
            std::string name;
            std::string input;
            std::string repairs;
            InputChannel channel = InputChannel::text;
        };
        for (const auto& v : valid_vectors()) {
            CAPTURE(visible(v.code));
            const bool has_gs = v.code.find(kGs) != std::string::npos;
            std::vector<Variant> variants;
            for (const char* aim : {"]d2", "]C1", "]Q3", "]e0", "]d1"}) {
                variants.push_back({aim, aim + v.code, "aim"});
            }
            variants.push_back({"leading FNC1", "\xe8" + v.code, "fnc1"});
            variants.push_back({"leading GS", "\x1d" + v.code, "leading_gs"});
            for (const char* suffix : {"\r\n", "\r", "\n", "\n\r\n"}) {
                variants.push_back({"suffix", v.code + suffix, "suffix"});
            }
            if (has_gs) {
                variants.push_back({"inner FNC1", "\xe8" + replace_gs(v.code, "\xe8"), "fnc1"});
                for (const char* escape :
                     {"\\u001d", "\\u001D", "\\x1d", "\\x1D", "<GS>", "{GS}", "%1D", "%1d"}) {
                    variants.push_back({escape, replace_gs(v.code, escape), "escape"});
                }
                variants.push_back(
                    {"escape in front", "{GS}" + replace_gs(v.code, "{GS}"), "leading_gs,escape"});
            }
            variants.push_back({"scanner over USB-COM",
                                "]d2\xe8" + replace_gs(v.code, "\xe8") + "\r", "aim,fnc1,suffix"});
            variants.push_back({"serial channel, AIM + CR LF", "]d2" + v.code + "\r\n",
                                "aim,suffix", InputChannel::serial});
            variants.push_back({"serial channel, FNC1", "\xe8" + replace_gs(v.code, "\xe8"), "fnc1",
                                InputChannel::serial});
            for (const auto& variant : variants) {
                CAPTURE(variant.name);
                CAPTURE(visible(variant.input));
                const ParseResult r = parse(variant.input, variant.channel);
                REQUIRE_MESSAGE(r, code_error_name(r.error));
                check_fields(r.code, v.code);
                CHECK(repairs_text(r.code.repairs()) == variant.repairs);
                CHECK(r.code.pack_mrp() == mrp_flag(v));
            }
        }
    }

    TEST_CASE("literal escapes are not decoded from the serial channel") {
        for (const auto& v : valid_vectors()) {
            if (v.code.find(kGs) == std::string::npos) continue;
            CAPTURE(visible(v.code));
            for (const char* escape : {"\\u001d", "\\x1d", "<GS>", "{GS}", "%1D"}) {
                const ParseResult r = parse(replace_gs(v.code, escape), InputChannel::serial);
                CHECK((!r || r.code.full() != v.code));
                CHECK(!r.code.repairs().gs_escape_decoded);
            }
        }
        // Backslash and braces are not CSET 82, so those forms are bad characters there.
        CHECK(parse(gs("0104670540176099215'W9Um\\u001d93dGVz"), InputChannel::serial).error ==
              CodeError::bad_character);
        CHECK(parse("0104670540176099215'W9Um{GS}93dGVz", InputChannel::serial).error ==
              CodeError::bad_character);
    }

    TEST_CASE("a serial that contains %1D or <GS> is kept when decoding them does not parse") {
        SUBCASE("%1D inside a water serial") {
            const auto r = parse(gs("0104653820923088215Go%1DgdcBeVZ␝93dGVz"));
            REQUIRE(r);
            CHECK(r.code.serial() == "5Go%1DgdcBeVZ");
            CHECK(!r.code.repairs().gs_escape_decoded);
        }
        SUBCASE("<GS> inside a serial, GS-less КИ") {
            const auto r = parse("0104653820923088215Go<GS>dcBeV");
            REQUIRE(r);
            CHECK(r.code.serial() == "5Go<GS>dcBeV");
        }
        SUBCASE("%1D as the separator next to a serial with %") {
            const auto r = parse("010461013628057121%798DM%%1D8005090000%1D93dGVz");
            REQUIRE(r);
            CHECK(r.code.serial() == "%798DM%");
            CHECK(r.code.block_price() == 90000u);
            CHECK(r.code.repairs().gs_escape_decoded);
        }
        SUBCASE("<GS> at the end of a serial, then a real GS: refused (found by fuzzing)") {
            // Literally the serial would end in "<GS>", but full() (trailing GS dropped) decodes
            // to a serial without it: a КИ that changes on re-parsing is refused.
            const auto r = parse("0104601663940465217o/5\"Sh6037836!<GS>\x1d");
            CHECK(r.error == CodeError::empty_element);
        }
        SUBCASE("a КИ whose only GS is a trailing one parses as GS-less (found by fuzzing)") {
            const auto r = parse("01046001364769372153647693460+\x1d");
            REQUIRE(r);
            // Dairy: a 6-character serial, then 93 and four characters.
            CHECK(r.code.ki() == "010460013647693721536476");
            CHECK(parse(std::string(r.code.full())).code.ki() == r.code.ki());
        }
        SUBCASE("two trailing GS: an empty element") {
            CHECK(parse("0104600136476937215Go\x1d\x1d").error == CodeError::empty_element);
        }
        SUBCASE("when both readings parse, the decoded one wins") {
            const auto r = parse("0104653820923088215Go%1D93dGVz");
            REQUIRE(r);
            CHECK(r.code.serial() == "5Go");
            CHECK(r.code.field(Ai::short_crypto) == "dGVz");
        }
        SUBCASE("neither reading parses: the decoded reading's error and repairs") {
            const auto r = parse("]d20104653820923088215Go%1DgdcBeVZ%1D88dGVz");
            CHECK(r.error == CodeError::unknown_ai);
            CHECK(r.code.repairs().gs_escape_decoded);
            CHECK(r.code.repairs().aim_prefix_stripped);
            check_rejected(r);
        }
    }

    TEST_CASE("every vector without its GS: recovered, a КИ, or refused") {
        for (const auto& v : valid_vectors()) {
            CAPTURE(visible(v.code));
            CAPTURE(v.gs_less);
            const std::string bare = without_gs(v.code);
            for (const std::string& input : {bare, "]d2" + bare + "\r\n"}) {
                const ParseResult r = parse(input);
                const bool decorated = input.size() != bare.size();
                if (v.gs_less == "recovered") {
                    REQUIRE_MESSAGE(r, code_error_name(r.error));
                    check_fields(r.code, v.code);
                    CHECK(repairs_text(r.code.repairs()) ==
                          (decorated ? "aim,gs_recovered,suffix" : "gs_recovered"));
                } else if (v.gs_less == "ki_only" || v.gs_less == "pack") {
                    REQUIRE(r);
                    check_fields(r.code, v.code);
                    CHECK(!r.code.repairs().gs_recovered);
                } else if (v.gs_less == "ki31") {
                    // Beer 7 + 93 without GS is indistinguishable from a КИ with a 13-character
                    // serial, which is what the LM is queried with: the КИ reading wins.
                    REQUIRE(bare.size() == 31);
                    REQUIRE(r);
                    CHECK(r.code.ki() == bare);
                    CHECK(r.code.serial().size() == 13);
                    CHECK(!r.code.has_crypto_tail());
                    CHECK(!r.code.repairs().gs_recovered);
                } else {
                    REQUIRE(v.gs_less == "ambiguous");
                    CHECK(r.error == CodeError::gs_missing_ambiguous);
                }
            }
        }
    }

    TEST_CASE("GS recovery by length signature (codes-peers.md §A.4)") {
        struct Case {
            const char* what;
            const char* bare;
            const char* full;  // "" when the code is expected to be a КИ as it is
        };
        const Case cases[] = {
            {"24: КИ, 6-character serial", "0104640023469822215c.222", ""},
            {"25: КИ, 7-character serial", "01048657365749062155esJWe", ""},
            {"30: dairy 6 + 93", "0104670540176099215'W9Um93dGVz",
             "0104670540176099215'W9Um␝93dGVz"},
            {"30 without 93 at 24: КИ with 12", "0104670540176099215'W9Um39dGVz", ""},
            {"31: КИ with 13, even with 93 at 25", "0104610053147452215d,OiLl93dGVz", ""},
            {"37: 13 + 93", "0104653820923088215GoNfWgdcBeVZ93dGVz",
             "0104653820923088215GoNfWgdcBeVZ␝93dGVz"},
            {"37: 13 + 93, serial with 93 and 91 inside", "0104653820923088215G93191dcBeVZ93dGVz",
             "0104653820923088215G93191dcBeVZ␝93dGVz"},
            {"37 without 93 at 31: КИ with 19", "0104653820923088215GoNfWgdcBeVZ39dGVz", ""},
            {"38: КИ with 20", "0104653820923088215GoNfWgdcBeVZ1234567", ""},
            {"40: dairy + 3103", "0104610053149777215d/wuU93dGVz3103123456",
             "0104610053149777215d/wuU␝93dGVz␝3103123456"},
            {"41: beer + 335n", "0104610053147452215d,OiLl93dGVz3355123456",
             "0104610053147452215d,OiLl␝93dGVz␝3355123456"},
            {"41: tobacco block", "010461013628057121%798DM%800509000093dGVz",
             "010461013628057121%798DM%␝8005090000␝93dGVz"},
            {"44: 20 + 93", "0104604968343672215<<<PO;O\"GuEzf\"Pe?T,93Y8MQ",
             "0104604968343672215<<<PO;O\"GuEzf\"Pe?T,␝93Y8MQ"},
            {"76: 6 + L44",
             "0106271582692226215MN0;&91FFD092dGVzdGZ0qoAfuqWzQQtSl6UFbZYOGHWp98+wqPE9tM4=",
             "0106271582692226215MN0;&␝91FFD0␝92dGVzdGZ0qoAfuqWzQQtSl6UFbZYOGHWp98+wqPE9tM4="},
            {"83: 13 + L44, serial with 91 inside",
             "0104609739628996215*12=1G91+?b?91009892ABgjEQu0IkfGqbG7nCFw3arfpy9zrxGzPUWaTm9Ff0Y=",
             "0104609739628996215*12=1G91+?b?"
             "␝910098␝92ABgjEQu0IkfGqbG7nCFw3arfpy9zrxGzPUWaTm9Ff0Y="},
            {"90: 13 + 240 + L44",
             "0104607638817954215gAov);e)!=ix2406403918039"
             "92XPW0CUgCu7SkUYcbc7CRfHby3l+7TSHX/YcClhUQeEs=",
             "0104607638817954215gAov);e)!=ix␝2406403␝918039"
             "␝92XPW0CUgCu7SkUYcbc7CRfHby3l+7TSHX/YcClhUQeEs="},
            {"90: 20 + L44",
             "0104608488426310215UWcn/kD0N%fqhkBH\";+918039"
             "92Nr249Fsq7/lmYtnGlbTff435CqG883zDclOamT/uZ3I=",
             "0104608488426310215UWcn/kD0N%fqhkBH\";+␝918039"
             "␝92Nr249Fsq7/lmYtnGlbTff435CqG883zDclOamT/uZ3I="},
            {"90: a 20-character serial ending in 240 + 4 digits reads as 13 + 240",
             "0104608488426310215UWcn/kD0N%fq2401234918039"
             "92Nr249Fsq7/lmYtnGlbTff435CqG883zDclOamT/uZ3I=",
             "0104608488426310215UWcn/kD0N%fq␝2401234␝918039"
             "␝92Nr249Fsq7/lmYtnGlbTff435CqG883zDclOamT/uZ3I="},
        };
        for (const Case& c : cases) {
            CAPTURE(c.what);
            const ParseResult r = parse(c.bare);
            REQUIRE_MESSAGE(r, code_error_name(r.error));
            if (std::string_view(c.full).empty()) {
                CHECK(r.code.full() == c.bare);
                CHECK(r.code.ki() == c.bare);
                CHECK(!r.code.repairs().any());
            } else {
                check_fields(r.code, gs(c.full));
                CHECK(r.code.repairs().gs_recovered);
            }
        }
        SUBCASE("no template and more than 20 characters after 21: refused") {
            for (const char* bare : {"0104653820923088215GoNfWgdcBeVZ12345678",    // 39
                                     "0104653820923088215GoNfWgdcBeVZ123456789",   // 40
                                     "0104670540176099215'W9Um93dGVz3103123456X",  // 41
                                     "0104653820923088215GoNfWgdcBeVZ93dGVz3103123456"}) {
                CAPTURE(bare);
                const auto r = parse(bare);
                CHECK(r.error == CodeError::gs_missing_ambiguous);
                check_rejected(r);
            }
        }
        SUBCASE("a template's markers without valid values do not match") {
            // 83 characters with 91 and 92 in place but a 92 that is not base64.
            const auto r = parse(
                "0104669000322220215t*NH>t:ngCfH91FFD092dGVzdBL8SAtwRqhp7H9rfyI59GoJ8ec6X9Ghc."
                "Df8JE=");
            CHECK(r.error == CodeError::gs_missing_ambiguous);
            // 41 with 8005 in place but letters in the price.
            CHECK(parse("010461013628057121%798DM%80050900A093dGVz").error ==
                  CodeError::gs_missing_ambiguous);
        }
    }

    TEST_CASE("rejected vectors (tests/data/codes/invalid.tsv)") {
        const auto rows = load_tsv("invalid.tsv", 3);
        CHECK(rows.size() >= 40);
        for (const auto& row : rows) {
            CAPTURE(row[2]);
            CAPTURE(row[1]);
            const ParseResult r = parse(gs(row[1]));
            CHECK(code_error_name(r.error) == row[0]);
            check_rejected(r);
            // The serial channel decides the same way (none of these use text escapes).
            CHECK(parse(gs(row[1]), InputChannel::serial).error == r.error);
        }
    }

    TEST_CASE("byte-level rejections") {
        CHECK(parse("").error == CodeError::empty);
        CHECK(parse("\r\n").error == CodeError::empty);
        CHECK(parse("]d2").error == CodeError::empty);
        CHECK(parse("]d2\r\n").error == CodeError::empty);
        CHECK(parse("\x1d").error == CodeError::empty);
        CHECK(parse("\xe8").error == CodeError::empty);
        CHECK(parse("<GS>").error == CodeError::empty);

        const std::string good = gs("0104670540176099215'W9Um␝93dGVz");
        for (const char bad : {'\0', ' ', '\t', '\x7f', '#', '$', '@',  '[',  '\\',   ']',
                               '^',  '`', '{',  '|',    '}', '~', '\r', '\n', '\x01', '\x1e'}) {
            CAPTURE(static_cast<int>(bad));
            for (const std::size_t at : {0UL, 3UL, 20UL}) {
                std::string input = good;
                input[at] = bad;
                const auto r = parse(input);
                CHECK(r.error == CodeError::bad_character);
                check_rejected(r);
            }
        }
        // Non-ASCII that is not Cyrillic: Latin-1, UTF-8 'é', an emoji, a lone lead byte.
        for (const char* bad : {"\xe9", "\xc3\xa9", "\xf0\x9f\x98\x80", "\xd0", "\x80"}) {
            CHECK(parse("0104670540176099215'W9Um" + std::string(bad)).error ==
                  CodeError::bad_character);
        }
        // A repaired layout can still give characters no code contains ("х" is the '[' key).
        const auto layout = parse("0104670540176099215'W9Um\xd1\x85");
        CHECK(layout.error == CodeError::bad_character);
        CHECK(layout.code.repairs().layout_repaired);
        // Leading double separators of any kind.
        CHECK(parse("\xe8\x1d" + good).error == CodeError::empty_element);
        CHECK(parse("<GS>{GS}" + good).error == CodeError::empty_element);
    }

    TEST_CASE("length limits") {
        const std::string ki = "0104670540176099215'W9Um";
        CHECK(parse(std::string(kMaxCodeLength + 1, 'A')).error == CodeError::too_long);
        CHECK(parse(ki + std::string(kMaxCodeLength + 1 - ki.size(), '1')).error ==
              CodeError::too_long);
        // Exactly the limit is parsed (and refused for what it is).
        CHECK(parse(ki + std::string(kMaxCodeLength - ki.size(), '1')).error ==
              CodeError::gs_missing_ambiguous);
        // The limit applies to the raw input, CR LF and prefixes included.
        const std::string padded = "]d2" + std::string(kMaxCodeLength, 'A');
        CHECK(parse(padded).error == CodeError::too_long);
        // A long but legal element string: an 8008 and a batch after a short code.
        const auto r =
            parse(gs("0104670540176099215'W9Um␝93dGVz␝10ABCDEFGHIJKLMNOPQRST␝800812345678"));
        REQUIRE(r);
        CHECK(r.code.field(Ai::batch) == "ABCDEFGHIJKLMNOPQRST");
    }

    TEST_CASE("separators GS1 tolerates") {
        SUBCASE("one trailing GS is left out of full()") {
            const auto r = parse(gs("0104670540176099215'W9Um␝93dGVz␝"));
            REQUIRE(r);
            CHECK(r.code.full() == gs("0104670540176099215'W9Um␝93dGVz"));
            CHECK(!r.code.repairs().any());
            const auto ki = parse(gs("0104670019034189215HDGZDLEP8ZXt␝"));
            REQUIRE(ki);
            CHECK(ki.code.full() == "0104670019034189215HDGZDLEP8ZXt");
            CHECK(ki.code.ki() == "0104670019034189215HDGZDLEP8ZXt");
        }
        SUBCASE("a GS after a predefined-length AI") {
            const auto r = parse(gs("0104610053149777215d/wuU␝93dGVz␝3103123456␝"));
            REQUIRE(r);
            CHECK(r.code.field(Ai::weight) == "123456");
            CHECK(r.code.full() == gs("0104610053149777215d/wuU␝93dGVz␝3103123456"));
            const auto mid = parse(gs("0104610053149777215d/wuU␝3103123456␝93dGVz"));
            REQUIRE(mid);
            CHECK(mid.code.field(Ai::short_crypto) == "dGVz");
            const auto glued = parse(gs("0104610053149777215d/wuU␝310312345693dGVz"));
            REQUIRE(glued);
            CHECK(glued.code.field(Ai::short_crypto) == "dGVz");
        }
        SUBCASE("a GS right after the GTIN is dropped so the КИ stays whole") {
            const auto r = parse(gs("0104670540176099␝215'W9Um␝93dGVz"));
            REQUIRE(r);
            CHECK(r.code.ki() == "0104670540176099215'W9Um");
            CHECK(r.code.full() == gs("0104670540176099215'W9Um␝93dGVz"));
            const auto ki = parse(gs("0104670019034189␝215HDGZDLEP8ZXt"));
            REQUIRE(ki);
            CHECK(ki.code.ki() == "0104670019034189215HDGZDLEP8ZXt");
        }
        SUBCASE("a trailing FNC1 or escape behaves like a trailing GS") {
            CHECK(parse(gs("0104670540176099215'W9Um␝93dGVz\xe8")).code.full() ==
                  gs("0104670540176099215'W9Um␝93dGVz"));
            CHECK(parse("0104670540176099215'W9Um<GS>93dGVz<GS>").code.full() ==
                  gs("0104670540176099215'W9Um␝93dGVz"));
        }
    }

    TEST_CASE("tobacco pack edge cases") {
        SUBCASE("an MRP outside the base-80 alphabet leaves pack_mrp() empty") {
            const auto r = parse("04601653035829H;dV)bF(BVUdGVz");
            REQUIRE(r);
            CHECK(r.code.kind() == CodeKind::tobacco_pack);
            CHECK(!r.code.pack_mrp());
            CHECK(r.code.ki() == "04601653035829H;dV)bF");
        }
        SUBCASE("a bad check digit is reported") {
            const auto r = parse("04601653035820H;dV)bFABVUdGVz");
            REQUIRE(r);
            CHECK(r.code.kind() == CodeKind::tobacco_pack);
            CHECK(!r.code.gtin_check_digit_ok());
        }
        SUBCASE("29 characters in GS1 shape are a КИ with an 11-character serial") {
            const auto r = parse("01046016530358292101234ABCDEF");
            REQUIRE(r);
            CHECK(r.code.kind() == CodeKind::gs1);
            CHECK(r.code.serial() == "01234ABCDEF");
        }
        SUBCASE("a pack whose GTIN starts with 01 and serial with two digits") {
            const auto r = parse("0123456789012834abcdeABVUdGVz");
            REQUIRE(r);
            CHECK(r.code.kind() == CodeKind::tobacco_pack);
            CHECK(r.code.gtin() == "01234567890128");
            CHECK(r.code.pack_mrp() == 8100u);
        }
        SUBCASE("every price round-trips through a pack code") {
            for (const std::uint32_t price : {0u, 1u, 8100u, 14500u, 14630u, 99999u, 4095999u}) {
                const auto mrp = encode_base80_price(price);
                REQUIRE(mrp);
                const std::string code =
                    "04601653035829H;dV)bF" + std::string(mrp->data(), 4) + "dGVz";
                const auto r = parse(code);
                REQUIRE(r);
                CHECK(r.code.pack_mrp() == price);
            }
        }
    }

    TEST_CASE("Caps Lock on the crypto code is flagged, not repaired") {
        const auto upper =
            parse(gs("0104669000322220215t*NH>t:ngCfH␝91FFD0␝92DGVZDBL8SATWRQHP7H9RFYI"
                     "59GOJ8EC6X9GHCKDF8JE="));
        REQUIRE(upper);
        CHECK(upper.code.crypto_code_upper_case());
        CHECK(upper.code.field(Ai::crypto_code) == "DGVZDBL8SATWRQHP7H9RFYI59GOJ8EC6X9GHCKDF8JE=");
        // All-uppercase dairy codes are fine: 93 is not looked at.
        const auto dairy = parse(gs("0104601662000016215RNEF*␝93B0IK"));
        REQUIRE(dairy);
        CHECK(!dairy.code.crypto_code_upper_case());
    }

    TEST_CASE("other AIs are parsed by GS1 rules and kept in full()") {
        const auto r =
            parse(gs("0104670540176099215'W9Um␝93dGVz␝11240131␝17250630␝10LOT-7/A␝"
                     "70032506301200␝2418Z"));
        REQUIRE(r);
        CHECK(r.code.field(Ai::production) == "240131");
        CHECK(r.code.field(Ai::expiry) == "250630");
        CHECK(r.code.field(Ai::batch) == "LOT-7/A");
        CHECK(r.code.full().ends_with("2418Z"));
        // 17 with day 00 is a legal GS1 date ("end of month").
        CHECK(parse(gs("0104670540176099215'W9Um␝93dGVz␝17250600")));
        // A 4-digit AI from an unknown 2-digit family.
        CHECK(parse(gs("0104670540176099215'W9Um␝93dGVz␝3900123")).error == CodeError::unknown_ai);
        // A non-digit where an AI belongs.
        CHECK(parse(gs("0104670540176099215'W9Um␝9XdGVz")).error == CodeError::unknown_ai);
        CHECK(parse(gs("0104670540176099215'W9Um␝9")).error == CodeError::unknown_ai);
    }

    TEST_CASE("hostile input: random bytes never crash and results stay consistent") {
        std::mt19937 rng(12345);
        const std::string pieces[] = {"0",
                                      "1",
                                      "2",
                                      "9",
                                      "3",
                                      "01",
                                      "21",
                                      "91",
                                      "92",
                                      "93",
                                      "8005",
                                      "3103",
                                      "\x1d",
                                      "\xe8",
                                      "]d2",
                                      "\r",
                                      "\n",
                                      "\\u001d",
                                      "<GS>",
                                      "%1D",
                                      "{GS}",
                                      "\xd0",
                                      "\xd1",
                                      "\xd0\xb9",
                                      "\xe2\x84\x96",
                                      "\xc3",
                                      "A",
                                      "z",
                                      "=",
                                      "/",
                                      "(",
                                      "%",
                                      "\\",
                                      "04670540176099",
                                      "0104670540176099215'W9Um",
                                      std::string(1, '\0')};
        for (int iteration = 0; iteration < 20000; ++iteration) {
            std::string input;
            const std::size_t target = rng() % 420;
            while (input.size() < target) {
                if (rng() % 4 == 0) {
                    input += static_cast<char>(rng() % 256);
                } else {
                    input += pieces[rng() % std::size(pieces)];
                }
            }
            const auto channel = rng() % 2 ? InputChannel::text : InputChannel::serial;
            const ParseResult r = parse(input, channel);
            if (!r) {
                REQUIRE(r.code.full().empty());
                continue;
            }
            const std::string_view full = r.code.full();
            REQUIRE(full.size() <= kMaxCodeLength);
            REQUIRE(!full.empty());
            REQUIRE(full.front() != kGs);
            REQUIRE(full.back() != kGs);
            for (const char c : full) REQUIRE((is_cset82(c) || c == kGs));
            REQUIRE(full.starts_with(r.code.ki()));
            REQUIRE(r.code.ki().find(kGs) == std::string_view::npos);
            const auto again = parse(full, channel);
            REQUIRE(again);
            REQUIRE(again.code.full() == full);
        }
    }

    TEST_CASE("hostile input: mutated real codes") {
        std::mt19937 rng(777);
        const auto& vectors = valid_vectors();
        std::size_t parsed = 0;
        for (int iteration = 0; iteration < 20000; ++iteration) {
            std::string input = vectors[rng() % vectors.size()].code;
            const int edits = 1 + static_cast<int>(rng() % 3);
            for (int e = 0; e < edits && !input.empty(); ++e) {
                const std::size_t at = rng() % input.size();
                switch (rng() % 6) {
                    case 0:
                        input.erase(at, 1);
                        break;
                    case 1:
                        input.insert(at, 1, "0123456789\x1d\xe8<%A="[rng() % 16]);
                        break;
                    case 2:
                        input[at] = static_cast<char>(rng() % 256);
                        break;
                    case 3:
                        input.resize(at);
                        break;
                    case 4:
                        input += input.substr(at);
                        break;
                    case 5:
                        input.insert(at, "]d2");
                        break;
                }
            }
            const ParseResult r = parse(input);
            if (!r) continue;
            ++parsed;
            const std::string_view full = r.code.full();
            REQUIRE(full.starts_with(r.code.ki()));
            if (r.code.kind() == CodeKind::gs1) {
                REQUIRE(r.code.ki().substr(2, 14) == r.code.gtin());
                REQUIRE(r.code.ki().substr(18) == r.code.serial());
                REQUIRE(r.code.serial().size() <= 20);
            } else {
                // A whole pack, or a pack's КИ alone.
                REQUIRE((full.size() == 29 || full.size() == 21));
            }
            const auto again = parse(full);
            REQUIRE(again);
            REQUIRE(again.code.full() == full);
        }
        CHECK(parsed > 1000);  // the mutations must also reach the successful paths
    }
}
