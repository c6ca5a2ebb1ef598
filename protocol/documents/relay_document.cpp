#include "protocol/documents/relay_document.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <array>
#include <limits>
#include <unordered_map>

#include "protocol/codes/code_error.hpp"
#include "protocol/json/json_writer.hpp"
#include "protocol/codes/marking_code.hpp"

namespace piotd::protocol {

namespace {

using Value = rapidjson::Value;

// LK_RECEIPT `action` (tspiot-kkt.md §A.5.3) and LP_RETURN `return_type` (§A.5.4).
constexpr std::array<std::string_view, 10> kWithdrawalActions = {
    "RETAIL",      "EEC_EXPORT",  "BEYOND_EEC_EXPORT", "RETURN",      "REMOTE_SALE",
    "DAMAGE_LOSS", "DESTRUCTION", "CONFISCATION",      "LIQUIDATION", "ENTERPRISE_USE"};
constexpr std::array<std::string_view, 3> kReturnActions = {"RETAIL_RETURN", "REMOTE_SALE_RETURN",
                                                            "RECEIPT_RETURN"};
constexpr std::array<std::string_view, 3> kRetailDocuments = {"RECEIPT", "SALES_RECEIPT", "OTHER"};
constexpr std::array<std::string_view, 7> kAllDocuments = {
    "RECEIPT",          "SALES_RECEIPT", "OTHER",          "CUSTOMS_DECLARATION",
    "CONSIGNMENT_NOTE", "UTD",           "DESTRUCTION_ACT"};

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& values, std::string_view value) {
    return std::find(values.begin(), values.end(), value) != values.end();
}

template <std::size_t N>
std::string joined(const std::array<std::string_view, N>& values) {
    std::string out;
    for (const std::string_view v : values) {
        if (!out.empty()) out += ", ";
        out += v;
    }
    return out;
}

bool all_digits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool printable(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
}

// yyyy-MM-dd with a real calendar day.
bool valid_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
    const std::string_view y = text.substr(0, 4);
    const std::string_view m = text.substr(5, 2);
    const std::string_view d = text.substr(8, 2);
    if (!all_digits(y) || !all_digits(m) || !all_digits(d)) return false;
    const int year = std::stoi(std::string(y));
    const int month = std::stoi(std::string(m));
    const int day = std::stoi(std::string(d));
    if (year < 2000 || month < 1 || month > 12 || day < 1) return false;
    static constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (day > kDays[static_cast<std::size_t>(month - 1)]) return false;
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return !(month == 2 && day == 29 && !leap);
}

class Parser {
public:
    DocumentParse result;

    bool fail(std::string field, std::string message) {
        result.ok = false;
        result.error.field = std::move(field);
        result.error.message = std::move(message);
        return false;
    }

    // A string member: absent = nullopt; present but not a string = error.
    bool string_field(const Value& object, const char* name, const std::string& path,
                      std::optional<std::string>& out, std::size_t max_length = 256,
                      bool code = false) {
        const auto it = object.FindMember(name);
        if (it == object.MemberEnd() || it->value.IsNull()) return true;
        if (!it->value.IsString()) return fail(path, "must be a string");
        std::string value(it->value.GetString(), it->value.GetStringLength());
        if (value.size() > max_length) {
            return fail(path, "is longer than " + std::to_string(max_length) + " characters");
        }
        // A marking code may carry GS: the code parser judges it, not this check.
        if (!code && !printable(value)) return fail(path, "contains control characters");
        out = std::move(value);
        return true;
    }

    bool required_string(const Value& object, const char* name, std::string& out,
                         std::size_t max_length = 256) {
        std::optional<std::string> value;
        if (!string_field(object, name, name, value, max_length)) return false;
        if (!value || value->empty()) return fail(name, "is required");
        out = std::move(*value);
        return true;
    }

    bool unsigned_field(const Value& object, const char* name, const std::string& path,
                        std::optional<std::uint64_t>& out, std::uint64_t max) {
        const auto it = object.FindMember(name);
        if (it == object.MemberEnd() || it->value.IsNull()) return true;
        if (!it->value.IsUint64()) return fail(path, "must be a non-negative integer");
        if (it->value.GetUint64() > max) {
            return fail(path, "must not exceed " + std::to_string(max));
        }
        out = it->value.GetUint64();
        return true;
    }

    bool parse(const Value& root, std::string_view id_header) {
        static constexpr std::array<std::string_view, 16> kKnown = {"id",
                                                                    "type",
                                                                    "origin",
                                                                    "inn",
                                                                    "action",
                                                                    "action_date",
                                                                    "document_type",
                                                                    "document_number",
                                                                    "document_date",
                                                                    "document_custom_name",
                                                                    "fn_number",
                                                                    "kkt_number",
                                                                    "pg",
                                                                    "paid",
                                                                    "products",
                                                                    "idempotency_key"};
        for (auto it = root.MemberBegin(); it != root.MemberEnd(); ++it) {
            const std::string_view name(it->name.GetString(), it->name.GetStringLength());
            if (!one_of(kKnown, name)) return fail(std::string(name), "is not a known field");
        }
        RelayDocument& doc = result.document;

        std::optional<std::string> id;
        if (!string_field(root, "id", "id", id, kMaxIdLength)) return false;
        std::optional<std::string> key;
        if (!string_field(root, "idempotency_key", "idempotency_key", key, kMaxIdLength)) {
            return false;
        }
        if (id && key && *id != *key) {
            return fail("idempotency_key", "differs from id (they name the same thing)");
        }
        if (!id) id = key;
        if (!id_header.empty()) {
            if (!valid_document_id(id_header)) {
                return fail("Idempotency-Key",
                            "must be 1-128 printable ASCII characters without spaces");
            }
            if (id && *id != id_header) {
                return fail("id", "differs from the Idempotency-Key header");
            }
            id = std::string(id_header);
        }
        if (id) {
            if (!valid_document_id(*id)) {
                return fail("id", "must be 1-128 printable ASCII characters without spaces");
            }
            doc.id = *id;
        }

        std::optional<std::string> type;
        if (!string_field(root, "type", "type", type)) return false;
        if (!type) return fail("type", "is required (withdrawal or return)");
        if (*type == "withdrawal") {
            doc.type = DocumentType::withdrawal;
        } else if (*type == "return") {
            doc.type = DocumentType::return_;
        } else {
            return fail("type", "must be withdrawal or return");
        }

        std::optional<std::string> origin;
        if (!string_field(root, "origin", "origin", origin)) return false;
        if (!origin || *origin == "api") {
            doc.origin = DocumentOrigin::api;
        } else if (*origin == "lm") {
            doc.origin = DocumentOrigin::lm;
        } else {
            return fail("origin", "must be api or lm");
        }

        if (doc.origin == DocumentOrigin::api && !parse_header(root)) return false;
        return parse_items(root);
    }

    bool parse_header(const Value& root) {
        RelayDocument& doc = result.document;
        if (!required_string(root, "inn", doc.inn, 12)) return false;
        if (!all_digits(doc.inn) || (doc.inn.size() != 10 && doc.inn.size() != 12)) {
            return fail("inn", "must be 10 or 12 digits");
        }
        if (!required_string(root, "action", doc.action, 32)) return false;
        if (doc.type == DocumentType::withdrawal && !one_of(kWithdrawalActions, doc.action)) {
            return fail("action", "must be one of " + joined(kWithdrawalActions));
        }
        if (doc.type == DocumentType::return_ && !one_of(kReturnActions, doc.action)) {
            return fail("action", "must be one of " + joined(kReturnActions));
        }
        if (!required_string(root, "action_date", doc.action_date, 10)) return false;
        if (!valid_date(doc.action_date)) return fail("action_date", "must be a date yyyy-MM-dd");

        if (!required_string(root, "document_type", doc.document_type, 32)) return false;
        const bool retail_like = doc.type == DocumentType::return_ || doc.action == "RETAIL";
        if (retail_like && !one_of(kRetailDocuments, doc.document_type)) {
            return fail("document_type", "must be one of " + joined(kRetailDocuments));
        }
        if (!one_of(kAllDocuments, doc.document_type)) {
            return fail("document_type", "must be one of " + joined(kAllDocuments));
        }
        // The fiscal document number may come as a number (FD numbers are integers).
        if (const auto it = root.FindMember("document_number");
            it != root.MemberEnd() && it->value.IsUint64()) {
            doc.document_number = std::to_string(it->value.GetUint64());
        } else if (!required_string(root, "document_number", doc.document_number, 64)) {
            return false;
        }
        std::optional<std::string> date;
        if (!string_field(root, "document_date", "document_date", date, 10)) return false;
        doc.document_date = date.value_or(doc.action_date);
        if (!valid_date(doc.document_date)) {
            return fail("document_date", "must be a date yyyy-MM-dd");
        }
        std::optional<std::string> custom;
        if (!string_field(root, "document_custom_name", "document_custom_name", custom)) {
            return false;
        }
        doc.document_custom_name = custom.value_or("");
        if (doc.document_type == "OTHER" && doc.document_custom_name.empty()) {
            return fail("document_custom_name", "is required when document_type is OTHER");
        }
        std::optional<std::string> fn;
        if (!string_field(root, "fn_number", "fn_number", fn, 16)) return false;
        doc.fn_number = fn.value_or("");
        if (!doc.fn_number.empty() && (doc.fn_number.size() != 16 || !all_digits(doc.fn_number))) {
            return fail("fn_number", "must be the 16 digits of the fiscal drive number");
        }
        if (doc.document_type == "RECEIPT" && doc.fn_number.empty()) {
            return fail("fn_number", "is required for a RECEIPT (the fiscal drive number)");
        }
        std::optional<std::string> kkt;
        if (!string_field(root, "kkt_number", "kkt_number", kkt, 20)) return false;
        doc.kkt_number = kkt.value_or("");
        if (!doc.kkt_number.empty() && !all_digits(doc.kkt_number)) {
            return fail("kkt_number", "must be digits");
        }
        std::optional<std::uint64_t> pg;
        if (!unsigned_field(root, "pg", "pg", pg, 999)) return false;
        if (pg) doc.pg = static_cast<int>(*pg);
        if (const auto it = root.FindMember("paid");
            it != root.MemberEnd() && !it->value.IsNull()) {
            if (!it->value.IsBool()) return fail("paid", "must be true or false");
            if (doc.type != DocumentType::return_) return fail("paid", "applies to returns only");
            doc.paid = it->value.GetBool();
        }
        return true;
    }

    bool parse_items(const Value& root) {
        RelayDocument& doc = result.document;
        const auto it = root.FindMember("products");
        if (it == root.MemberEnd()) return fail("products", "is required");
        if (!it->value.IsArray()) return fail("products", "must be an array");
        const auto& array = it->value.GetArray();
        if (array.Empty()) return fail("products", "must not be empty");
        if (array.Size() > kMaxDocumentItems) {
            return fail("products",
                        "has more than " + std::to_string(kMaxDocumentItems) + " entries");
        }
        const bool price_required = doc.origin == DocumentOrigin::api &&
                                    (doc.action == "RETAIL" || doc.action == "REMOTE_SALE");
        std::unordered_map<std::string, std::size_t> seen;
        for (rapidjson::SizeType i = 0; i < array.Size(); ++i) {
            const std::string where = "products[" + std::to_string(i) + "]";
            const Value& entry = array[i];
            if (!entry.IsObject()) return fail(where, "must be an object with cis");
            for (auto m = entry.MemberBegin(); m != entry.MemberEnd(); ++m) {
                const std::string_view name(m->name.GetString(), m->name.GetStringLength());
                if (name != "cis" && name != "price" && name != "quantity" &&
                    name != "inner_unit_count") {
                    return fail(where + "." + std::string(name), "is not a known field");
                }
            }
            DocumentItem item;
            std::optional<std::string> cis;
            if (!string_field(entry, "cis", where + ".cis", cis, kMaxCodeLength, true))
                return false;
            if (!cis || cis->empty()) return fail(where + ".cis", "is required");
            const ParseResult parsed = parse_marking_code(*cis);
            if (!parsed) {
                return fail(where + ".cis", std::string(code_error_message(parsed.error)) + " (" +
                                                std::string(code_error_name(parsed.error)) + ")");
            }
            item.cis = std::string(parsed.code.ki());
            if (const auto [at, fresh] = seen.emplace(item.cis, i); !fresh) {
                return fail(where + ".cis",
                            "the same code as products[" + std::to_string(at->second) + "]");
            }
            std::optional<std::uint64_t> price;
            if (!unsigned_field(entry, "price", where + ".price", price,
                                std::uint64_t{std::numeric_limits<std::int64_t>::max()})) {
                return false;
            }
            if (price) item.price = static_cast<std::int64_t>(*price);
            if (price_required && !item.price) {
                return fail(where + ".price", "is required (kopecks incl. VAT) for " + doc.action);
            }
            std::optional<std::uint64_t> quantity;
            std::optional<std::uint64_t> inner;
            if (!unsigned_field(entry, "quantity", where + ".quantity", quantity, 1'000'000) ||
                !unsigned_field(entry, "inner_unit_count", where + ".inner_unit_count", inner,
                                1'000'000)) {
                return false;
            }
            if (quantity && *quantity == 0) return fail(where + ".quantity", "must be at least 1");
            if (inner && *inner == 0) {
                return fail(where + ".inner_unit_count", "must be at least 1");
            }
            item.quantity = static_cast<std::uint32_t>(quantity.value_or(1));
            if (inner) {
                item.inner_unit_count = static_cast<std::uint32_t>(*inner);
                if (item.quantity > *inner) {
                    return fail(where + ".quantity", "exceeds inner_unit_count");
                }
            } else if (item.quantity != 1) {
                return fail(where + ".quantity",
                            "a code is one unit: give inner_unit_count for a partial sale");
            }
            doc.items.push_back(std::move(item));
        }
        return true;
    }
};

void write_optional(JsonWriter& writer, std::string_view key, std::string_view value) {
    if (value.empty()) return;
    write_key(writer, key);
    write_string(writer, value);
}

}  // namespace

bool valid_document_id(std::string_view id) {
    return !id.empty() && id.size() <= kMaxIdLength &&
           std::all_of(id.begin(), id.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

DocumentParse parse_document(std::string_view body, std::string_view id_header) {
    rapidjson::Document document;
    document.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag>(body.data(),
                                                                                       body.size());
    Parser parser;
    if (document.HasParseError()) {
        parser.fail("", std::string("body is not valid JSON: ") +
                            rapidjson::GetParseError_En(document.GetParseError()) + " at offset " +
                            std::to_string(document.GetErrorOffset()));
        parser.result.error.json = true;
        return parser.result;
    }
    if (!document.IsObject()) {
        parser.fail("", "body must be a JSON object");
        parser.result.error.json = true;
        return parser.result;
    }
    parser.result.ok = parser.parse(document, id_header);
    return parser.result;
}

std::string write_document(const RelayDocument& doc) {
    JsonBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    write_optional(writer, "id", doc.id);
    write_key(writer, "type");
    write_string(writer, document_type_name(doc.type));
    write_key(writer, "origin");
    write_string(writer, document_origin_name(doc.origin));
    write_optional(writer, "inn", doc.inn);
    write_optional(writer, "action", doc.action);
    write_optional(writer, "action_date", doc.action_date);
    write_optional(writer, "document_type", doc.document_type);
    write_optional(writer, "document_number", doc.document_number);
    write_optional(writer, "document_date", doc.document_date);
    write_optional(writer, "document_custom_name", doc.document_custom_name);
    write_optional(writer, "fn_number", doc.fn_number);
    write_optional(writer, "kkt_number", doc.kkt_number);
    if (doc.pg) {
        write_key(writer, "pg");
        writer.Int(*doc.pg);
    }
    if (doc.paid) {
        write_key(writer, "paid");
        writer.Bool(*doc.paid);
    }
    write_key(writer, "products");
    writer.StartArray();
    for (const DocumentItem& item : doc.items) {
        writer.StartObject();
        write_key(writer, "cis");
        write_string(writer, item.cis);
        if (item.price) {
            write_key(writer, "price");
            writer.Int64(*item.price);
        }
        write_key(writer, "quantity");
        writer.Uint(item.quantity);
        if (item.inner_unit_count) {
            write_key(writer, "inner_unit_count");
            writer.Uint(*item.inner_unit_count);
        }
        writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

std::string_view document_type_name(DocumentType type) {
    return type == DocumentType::withdrawal ? "withdrawal" : "return";
}

std::string_view document_origin_name(DocumentOrigin origin) {
    return origin == DocumentOrigin::api ? "api" : "lm";
}

std::string_view product_group_name(int pg) {
    // lm-api.md §4 (groupIds), tspiot-kkt.md §A.5.2.
    switch (pg) {
        case 1:
            return "lp";
        case 2:
            return "shoes";
        case 3:
            return "tobacco";
        case 4:
            return "perfumery";
        case 5:
            return "tires";
        case 6:
            return "electronics";
        case 7:
            return "pharma";
        case 8:
            return "milk";
        case 9:
            return "bicycle";
        case 10:
            return "wheelchairs";
        case 12:
            return "otp";
        case 13:
            return "water";
        case 14:
            return "furs";
        case 15:
            return "beer";
        case 16:
            return "ncp";
        case 17:
            return "bio";
        case 19:
            return "antiseptic";
        case 20:
            return "petfood";
        case 21:
            return "seafood";
        case 22:
            return "nabeer";
        case 23:
            return "softdrinks";
        case 26:
            return "vetpharma";
        case 32:
            return "grocery";
        default:
            return {};
    }
}

}  // namespace piotd::protocol
