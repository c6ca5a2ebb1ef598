// The sale rules (protocol/decision/sale_decision.hpp, lm-api.md §7.1 online, §7.2 offline), rule by
// rule, then the 26 CRPT reference scenarios of tests/data/trueapi/scenarios.json run through
// decide_online/decide_offline directly, and the reason table against docs/decision-rules.md.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/decision/sale_decision.hpp"

using namespace piotd::protocol;

namespace {

constexpr std::int64_t kNow = 1795435200000;  // 2026-11-23T12:00:00Z

// Every flag in order: what a sellable item looks like.
TrueApiCodeResult sellable(std::vector<int> groups = {8}) {
    TrueApiCodeResult r;
    r.valid = true;
    r.found = true;
    r.utilised = true;
    r.verified = true;
    r.realizable = true;
    r.is_blocked = false;
    r.sold = false;
    r.error_code = 0;
    r.group_ids = std::move(groups);
    return r;
}

std::vector<std::string> codes_of(const SaleDecision& d) {
    std::vector<std::string> out;
    for (const Reason* r : d.reasons()) out.emplace_back(r->code);
    return out;
}

using Codes = std::vector<std::string>;

struct Parsed {
    explicit Parsed(std::string_view raw) : result(parse_marking_code(raw)) { REQUIRE(result); }
    ParseResult result;
    const MarkingCode* code() const { return &result.code; }
};

SaleContext context(const Parsed* code, std::optional<std::int64_t> price = std::nullopt) {
    SaleContext c;
    c.code = code != nullptr ? code->code() : nullptr;
    c.price_kopecks = price;
    c.now_ms = kNow;
    return c;
}

const std::string kPack81 = "04601653035829H;dV)bFABVUdGVz";   // MRP ABVU = 81.00
const std::string kPack199 = "04601653035829H;dV)bFADI8dGVz";  // MRP ADI8 = 199.00
const std::string kBlock900 =
    "010461013628057121%798DM%\x1d"
    "8005090000\x1d"
    "93dGVz";  // AI 8005 = 900.00
const std::string kMilk =
    "0104670540176099215'W9Um\x1d"
    "93dGVz";

}  // namespace

TEST_SUITE("protocol.sale_decision") {
    TEST_CASE("a sellable item is allowed with no reasons") {
        const SaleDecision d = decide_online(sellable(), context(nullptr, 10000));
        CHECK(d.allowed);
        CHECK(d.reasons().empty());
        CHECK_FALSE(d.min_price_kopecks);
        CHECK_FALSE(d.max_price_kopecks);
    }

    TEST_CASE("absent flags refuse nothing: only an explicit value triggers a rule") {
        const SaleDecision d = decide_online(TrueApiCodeResult{}, context(nullptr));
        CHECK(d.allowed);
        CHECK(d.reasons().empty());
    }

    TEST_CASE("rule 0: valid == false, reported alone") {
        auto r = sellable();
        r.valid = false;
        r.found = false;
        r.utilised = false;
        const SaleDecision d = decide_online(r, context(nullptr));
        CHECK_FALSE(d.allowed);
        CHECK(codes_of(d) == Codes{"not_valid"});
    }

    TEST_CASE("rule 1: found == false, or errorCode 10 without found, reported alone") {
        auto r = sellable();
        r.found = false;
        r.realizable = false;
        CHECK(codes_of(decide_online(r, context(nullptr))) == Codes{"not_found"});
        TrueApiCodeResult only_error;
        only_error.error_code = 10;
        const SaleDecision d = decide_online(only_error, context(nullptr));
        CHECK_FALSE(d.allowed);
        CHECK(codes_of(d) == Codes{"not_found"});
    }

    TEST_CASE("rule 2: utilised == false (the realizable consequence is not repeated)") {
        auto r = sellable();
        r.utilised = false;
        r.realizable = false;
        CHECK(codes_of(decide_online(r, context(nullptr))) == Codes{"not_utilised"});
    }

    TEST_CASE("rule 3: verified == false; its errorCode does not add check_error") {
        auto r = sellable();
        r.verified = false;
        r.error_code = 6;
        CHECK(codes_of(decide_online(r, context(nullptr))) == Codes{"not_verified"});
    }

    TEST_CASE("a non-zero errorCode with every flag fine is check_error") {
        auto r = sellable();
        r.error_code = 11;
        const SaleDecision d = decide_online(r, context(nullptr));
        CHECK_FALSE(d.allowed);
        CHECK(codes_of(d) == Codes{"check_error"});
    }

    TEST_CASE("rule 6: isBlocked") {
        auto r = sellable();
        r.is_blocked = true;
        CHECK(codes_of(decide_online(r, context(nullptr))) == Codes{"blocked"});
    }

    TEST_CASE("rule 4: sold (realizable == false follows from it and is not repeated)") {
        auto r = sellable();
        r.sold = true;
        r.realizable = false;
        CHECK(codes_of(decide_online(r, context(nullptr))) == Codes{"sold"});
    }

    TEST_CASE("rule 5: realizable == false; tobacco in the grey zone is the exception") {
        auto r = sellable();
        r.realizable = false;
        CHECK(codes_of(decide_online(r, context(nullptr))) == Codes{"not_realizable"});

        r.gray_zone = true;  // grey zone only counts for tobacco
        CHECK(codes_of(decide_online(r, context(nullptr))) == Codes{"not_realizable"});

        auto tobacco = sellable({3});
        tobacco.realizable = false;
        tobacco.gray_zone = false;
        CHECK(codes_of(decide_online(tobacco, context(nullptr))) == Codes{"not_realizable"});
        tobacco.gray_zone = true;
        const SaleDecision d = decide_online(tobacco, context(nullptr));
        CHECK(d.allowed);
        CHECK(codes_of(d) == Codes{"tobacco_grey_zone"});
    }

    TEST_CASE("without groupIds the code's shape or pg says whether it is tobacco") {
        const Parsed pack(kPack81);
        auto r = sellable({});
        r.realizable = false;
        r.gray_zone = true;
        CHECK(decide_online(r, context(&pack, 8100)).allowed);
        SaleContext by_pg = context(nullptr);
        by_pg.product_group = kGroupTobacco;
        CHECK(decide_online(r, by_pg).allowed);
        CHECK_FALSE(decide_online(r, context(nullptr)).allowed);
    }

    TEST_CASE("rule 7: expireDate before now; the code's AI 17 when the answer has none") {
        auto r = sellable();
        r.expire_date_ms = kNow - 1;
        CHECK(codes_of(decide_online(r, context(nullptr))) == Codes{"expired"});
        r.expire_date_ms = kNow;
        CHECK(decide_online(r, context(nullptr)).allowed);

        // 17 261122: expires at the end of 22 Nov 2026, i.e. before kNow (23 Nov 12:00).
        const Parsed past(
            "0104670540176099215'W9Um\x1d"
            "17261122\x1d"
            "93dGVz");
        const Parsed today(
            "0104670540176099215'W9Um\x1d"
            "17261123\x1d"
            "93dGVz");
        const Parsed month_end(
            "0104670540176099215'W9Um\x1d"
            "17261100\x1d"
            "93dGVz");
        CHECK(codes_of(decide_online(sellable(), context(&past))) == Codes{"expired"});
        CHECK(decide_online(sellable(), context(&today)).allowed);
        CHECK(decide_online(sellable(), context(&month_end)).allowed);
        // The answer's date wins over the code's.
        r.expire_date_ms = kNow + 1000;
        CHECK(decide_online(r, context(&past)).allowed);
    }

    TEST_CASE("rule 8: tobacco pack, MRP from the code in base 80, smp from the answer") {
        const Parsed pack(kPack81);
        auto r = sellable({3});
        r.package_type = "UNIT";
        SaleDecision d = decide_online(r, context(&pack, 8100));
        CHECK(d.allowed);
        CHECK(d.max_price_kopecks == 8100);
        CHECK_FALSE(d.min_price_kopecks);
        CHECK(decide_online(r, context(&pack, 7000)).allowed);  // below the MRP is lawful
        CHECK(codes_of(decide_online(r, context(&pack, 8101))) == Codes{"price_above_mrp"});

        r.smp = 7500;
        CHECK(codes_of(decide_online(r, context(&pack, 7000))) == Codes{"price_below_min_price"});
        d = decide_online(r, context(&pack, 7500));
        CHECK(d.allowed);
        CHECK(d.min_price_kopecks == 7500);

        r.smp = 13500;  // the code's own MRP is under the minimum: no price can be right
        CHECK(codes_of(decide_online(r, context(&pack, 8100))) ==
              Codes{"price_below_min_price", "code_mrp_below_min_price"});
    }

    TEST_CASE("rule 8 without a price in the code: the answer's mrp is the maximum") {
        auto r = sellable({3});
        r.mrp = 15000;
        CHECK(codes_of(decide_online(r, context(nullptr, 15001))) == Codes{"price_above_mrp"});
        CHECK(decide_online(r, context(nullptr, 15000)).allowed);
    }

    TEST_CASE("rule 9: tobacco block, AI 8005 against smp × packageQuantity") {
        const Parsed block(kBlock900);
        auto r = sellable({3});
        r.package_type = "GROUP";
        r.package_quantity = 10;
        CHECK(decide_online(r, context(&block, 90000)).allowed);
        CHECK(codes_of(decide_online(r, context(&block, 90001))) == Codes{"price_above_mrp"});
        r.smp = 9000;
        SaleDecision d = decide_online(r, context(&block, 90000));
        CHECK(d.allowed);
        CHECK(d.min_price_kopecks == 90000);
        CHECK(d.max_price_kopecks == 90000);
        r.smp = 13500;
        CHECK(codes_of(decide_online(r, context(&block, 90000))) ==
              Codes{"price_below_min_price", "code_mrp_below_min_price"});
        // Without packageQuantity there is no block minimum to compare with.
        r.package_quantity.reset();
        CHECK(decide_online(r, context(&block, 90000)).allowed);
        // A product past int64 (a hostile answer, fuzz_true_api_answer's finding) is a minimum
        // above any price, not a signed overflow.
        r.package_quantity = 1100246235024620;
        d = decide_online(r, context(&block, 90000));
        CHECK(d.min_price_kopecks == std::numeric_limits<std::int64_t>::max());
        CHECK(codes_of(d) == Codes{"price_below_min_price", "code_mrp_below_min_price"});
    }

    TEST_CASE("rule 10: ncp and other groups with mrp, price below mrp (§9 E6)") {
        auto r = sellable({kGroupNcp});
        r.mrp = 20000;
        const Parsed ncp("00840147505712Zz;ZnRbAAAAdGVz");  // pack-shaped, but groupIds says ncp
        CHECK(codes_of(decide_online(r, context(&ncp, 15000))) == Codes{"price_below_mrp"});
        SaleDecision d = decide_online(r, context(&ncp, 20000));
        CHECK(d.allowed);
        CHECK(d.min_price_kopecks == 20000);
        CHECK_FALSE(d.max_price_kopecks);
        auto otp = sellable({kGroupOtp});
        otp.mrp = 5000;
        CHECK(codes_of(decide_online(otp, context(nullptr, 4999))) == Codes{"price_below_mrp"});
        otp.mrp = 0;  // 0 means unknown
        CHECK(decide_online(otp, context(nullptr, 1)).allowed);
    }

    TEST_CASE("no price: limits are reported and noted, nothing refused for price") {
        const Parsed pack(kPack81);
        auto r = sellable({3});
        r.smp = 13500;
        const SaleDecision d = decide_online(r, context(&pack));
        CHECK_FALSE(d.allowed);  // the code's own MRP is below smp: no price helps
        CHECK(codes_of(d) == Codes{"code_mrp_below_min_price", "price_not_checked"});
        r.smp.reset();
        const SaleDecision ok = decide_online(r, context(&pack));
        CHECK(ok.allowed);
        CHECK(codes_of(ok) == Codes{"price_not_checked"});
        CHECK(ok.max_price_kopecks == 8100);
    }

    TEST_CASE("several refusals are all reported, in table order") {
        const Parsed pack(kPack81);
        auto r = sellable({3});
        r.sold = true;
        r.is_blocked = true;
        r.verified = false;
        r.expire_date_ms = kNow - 1;
        const SaleDecision d = decide_online(r, context(&pack, 9000));
        CHECK(codes_of(d) ==
              Codes{"not_verified", "blocked", "sold", "expired", "price_above_mrp"});
    }

    TEST_CASE("offline §7.2: isBlocked, sold, prices; nothing else") {
        LmCodeResult lm;
        CHECK(decide_offline(lm, context(nullptr, 100)).allowed);
        lm.is_grey_gtin = true;  // not a rule (lm-api.md §7.2 marks it unverified)
        CHECK(decide_offline(lm, context(nullptr, 100)).allowed);
        lm.is_blocked = true;
        CHECK(codes_of(decide_offline(lm, context(nullptr))) == Codes{"blocked"});
        lm.sold = true;
        CHECK(codes_of(decide_offline(lm, context(nullptr))) == Codes{"blocked", "sold"});
    }

    TEST_CASE("offline prices: pack MRP from the code and smp from the module; ncp mrp") {
        const Parsed pack(kPack199);
        LmCodeResult lm;
        lm.mrp = 19900;
        lm.smp = 21000;
        CHECK(codes_of(decide_offline(lm, context(&pack, 19900))) ==
              Codes{"price_below_min_price", "code_mrp_below_min_price"});
        lm.smp = 15000;
        CHECK(decide_offline(lm, context(&pack, 19900)).allowed);
        CHECK(codes_of(decide_offline(lm, context(&pack, 20000))) == Codes{"price_above_mrp"});

        const Parsed block(kBlock900);
        LmCodeResult block_lm;
        block_lm.smp = 13500;  // no packageQuantity offline: only the 8005 maximum applies
        CHECK(decide_offline(block_lm, context(&block, 90000)).allowed);
        CHECK(codes_of(decide_offline(block_lm, context(&block, 95000))) ==
              Codes{"price_above_mrp"});

        const Parsed milk(kMilk);
        LmCodeResult ncp;
        ncp.mrp = 20000;
        CHECK(codes_of(decide_offline(ncp, context(&milk, 15000))) == Codes{"price_below_mrp"});
    }

    TEST_CASE(
        "offline product group: pg first, then the code's shape (a zero-priced pack is ncp)") {
        const Parsed ncp("00840147505712Zz;ZnRbAAAAdGVz");
        LmCodeResult lm;
        lm.mrp = 20000;
        CHECK(codes_of(decide_offline(lm, context(&ncp, 15000))) == Codes{"price_below_mrp"});
        SaleContext with_pg = context(&ncp, 15000);
        with_pg.product_group = kGroupNcp;
        CHECK(codes_of(decide_offline(lm, with_pg)) == Codes{"price_below_mrp"});
        // pg 3 makes it tobacco: the mrp is then a maximum, and 150.00 is under it.
        with_pg.product_group = kGroupTobacco;
        CHECK(decide_offline(lm, with_pg).allowed);
        // A priced pack is tobacco whatever the module says about mrp.
        const Parsed pack(kPack81);
        CHECK(codes_of(decide_offline(LmCodeResult{}, context(&pack, 9000))) ==
              Codes{"price_above_mrp"});
        // pg says milk: no tobacco price rules even for a pack-shaped code.
        SaleContext milk_pg = context(&pack, 9000);
        milk_pg.product_group = 8;
        CHECK(decide_offline(LmCodeResult{}, milk_pg).allowed);
    }

    TEST_CASE("offline expiry from AI 17") {
        const Parsed past(
            "0104670540176099215'W9Um\x1d"
            "17250131\x1d"
            "93dGVz");
        CHECK(codes_of(decide_offline(LmCodeResult{}, context(&past))) == Codes{"expired"});
    }

    TEST_CASE("SaleDecision keeps each reason once and in table order") {
        SaleDecision d;
        d.add(ReasonId::price_not_checked);
        d.add(ReasonId::sold);
        d.add(ReasonId::not_found);
        d.add(ReasonId::sold);
        CHECK_FALSE(d.allowed);
        CHECK(codes_of(d) == Codes{"not_found", "sold", "price_not_checked"});
        CHECK(d.has(ReasonId::sold));
        CHECK_FALSE(d.has(ReasonId::blocked));
        SaleDecision note;
        note.add(ReasonId::tobacco_grey_zone);
        CHECK(note.allowed);
    }
}

TEST_SUITE("protocol.sale_reason") {
    TEST_CASE("the reason table: ids in order, codes unique snake_case, messages and sources set") {
        const auto all = all_reasons();
        REQUIRE(all.size() == static_cast<std::size_t>(ReasonId::count));
        std::set<std::string_view> codes;
        for (std::size_t i = 0; i < all.size(); ++i) {
            const Reason& r = all[i];
            CAPTURE(r.code);
            CHECK(static_cast<std::size_t>(r.id) == i);
            CHECK(&reason(r.id) == &r);
            CHECK(find_reason(r.code) == &r);
            CHECK(codes.insert(r.code).second);
            for (const char c : r.code)
                CHECK(((c >= 'a' && c <= 'z') || c == '_' || (c >= '0' && c <= '9')));
            CHECK_FALSE(r.rule.empty());
            CHECK_FALSE(r.message_ru.empty());
            CHECK_FALSE(r.message_en.empty());
            CHECK(r.source.find("§") != std::string_view::npos);
        }
        CHECK(find_reason("no_such_reason") == nullptr);
        CHECK_FALSE(reason(ReasonId::tobacco_grey_zone).refuses);
        CHECK_FALSE(reason(ReasonId::price_not_checked).refuses);
        CHECK(reason(ReasonId::blocked).refuses);
    }

    TEST_CASE("docs/decision-rules.md documents every reason with its messages") {
        std::ifstream in(std::string(PIOTD_TEST_DATA_DIR) + "/../../docs/decision-rules.md");
        REQUIRE(in);
        const std::string doc((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
        for (const Reason& r : all_reasons()) {
            CAPTURE(r.code);
            CHECK(doc.find("| `" + std::string(r.code) + "` |") != std::string::npos);
            CHECK(doc.find(std::string(r.message_ru)) != std::string::npos);
            CHECK(doc.find(std::string(r.message_en)) != std::string::npos);
        }
    }
}

namespace {

std::string serialise(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

TEST_SUITE("protocol.sale_scenarios") {
    TEST_CASE("the 26 CRPT reference scenarios (tests/data/trueapi/scenarios.json)") {
        std::ifstream in(std::string(PIOTD_TEST_DATA_DIR) + "/trueapi/scenarios.json");
        REQUIRE(in);
        std::stringstream text;
        text << in.rdbuf();
        rapidjson::Document doc;
        doc.Parse(text.str().c_str());
        REQUIRE_FALSE(doc.HasParseError());
        REQUIRE(doc["format"].GetInt() == 1);
        const std::int64_t now = doc["nowMs"].GetInt64();
        const auto& scenarios = doc["scenarios"].GetArray();
        REQUIRE(scenarios.Size() == 26);

        std::set<std::string> ids;
        for (const auto& s : scenarios) {
            const std::string id = s["id"].GetString();
            CAPTURE(id);
            CHECK(ids.insert(id).second);
            const ParseResult parsed = parse_marking_code(s["code"].GetString());
            REQUIRE(parsed);
            CHECK(parsed.code.ki() == std::string_view(s["ki"].GetString()));
            CHECK(parsed.code.gtin() == std::string_view(s["gtin"].GetString()));

            SaleContext context;
            context.code = &parsed.code;
            context.price_kopecks = s["price"].GetInt64();
            context.quantity = s["quantity"].GetUint();
            if (s.HasMember("pg")) context.product_group = s["pg"].GetInt();
            context.now_ms = now;

            const auto& true_api = s["trueApi"];
            const auto& expected = s["expected"];
            const std::string source = expected["source"].GetString();
            const bool online = true_api.HasMember("answer") && !true_api.HasMember("fault");
            CHECK(source == (online                                ? "online"
                             : s["offline"]["available"].GetBool() ? "offline"
                                                                   : "none"));

            std::optional<SaleDecision> decision;
            if (online) {
                // The answer exactly as the fake True API serves it.
                const std::string body = R"({"code":0,"description":"ok","reqId":")" +
                                         std::string(true_api["reqId"].GetString()) +
                                         R"(","reqTimestamp":)" +
                                         std::to_string(true_api["reqTimestamp"].GetInt64()) +
                                         R"(,"codes":[)" + serialise(true_api["answer"]) + "]}";
                const TrueApiCheckParse answer = parse_true_api_check_answer(body);
                REQUIRE(answer);
                REQUIRE(answer.answer.codes.size() == 1);
                CHECK(answer.answer.codes[0].cis == std::string_view(s["code"].GetString()));
                decision = decide_online(answer.answer.codes[0], context);
            } else if (source == "offline") {
                const auto& offline = s["offline"];
                LmCodeResult lm;
                lm.cis = parsed.code.ki();
                lm.is_blocked = offline["isBlocked"].GetBool();
                lm.sold = offline["sold"].GetBool();
                if (offline.HasMember("mrp")) lm.mrp = offline["mrp"].GetUint();
                if (offline.HasMember("smp")) lm.smp = offline["smp"].GetUint();
                decision = decide_offline(lm, context);
            }

            if (!decision) {
                CHECK(expected["isSaleAllowed"].IsNull());
                CHECK(expected["reasons"].GetArray().Empty());
                continue;
            }
            CHECK(decision->allowed == expected["isSaleAllowed"].GetBool());
            Codes want;
            for (const auto& r : expected["reasons"].GetArray()) {
                want.emplace_back(r.GetString());
                CHECK(find_reason(r.GetString()) != nullptr);
            }
            CHECK(codes_of(*decision) == want);
        }
        for (int i = 1; i <= 26; ++i) CHECK(ids.count("5." + std::to_string(i)) == 1);
    }
}
