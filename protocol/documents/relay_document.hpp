// A withdrawal («вывод из оборота») or return («возврат в оборот») document as piotd keeps it in
// its outbox and relays it upstream (docs/relay.md). Two origins:
//   api  POST /api/v1/documents: every field the True API's LK_RECEIPT / LP_RETURN need
//        (tspiot-kkt.md §A.5.3, §A.5.4), validated field by field;
//   lm   POST /api/v2/cis/sell|return of the LM API: codes only (and partial-sale counts).
// The canonical JSON (write_document) is what is stored, compared for idempotency and sent to
// another piotd; it always carries the document id, which is also its idempotency key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace piotd::protocol {

enum class DocumentType : std::uint8_t { withdrawal, return_ };
enum class DocumentOrigin : std::uint8_t { api, lm };

struct DocumentItem {
    std::string cis;                    // the КИ (a full code is cut to it)
    std::optional<std::int64_t> price;  // kopecks incl. VAT for this line (True API product_cost)
    std::uint32_t quantity = 1;         // units of the pack this line covers
    std::optional<std::uint32_t> inner_unit_count;  // units in the pack: set = a partial sale
};

struct RelayDocument {
    std::string id;  // idempotency key; also the document's id everywhere
    DocumentType type = DocumentType::withdrawal;
    DocumentOrigin origin = DocumentOrigin::api;
    // api origin only (empty for lm):
    std::string inn;
    std::string action;                // LK_RECEIPT action / LP_RETURN return_type
    std::string action_date;           // yyyy-MM-dd
    std::string document_type;         // primary document: RECEIPT, SALES_RECEIPT, OTHER, …
    std::string document_number;       // fiscal document number (ФД) for a receipt
    std::string document_date;         // yyyy-MM-dd
    std::string document_custom_name;  // when document_type is OTHER
    std::string fn_number;             // fiscal drive number (ФН)
    std::string kkt_number;            // KKT registration number
    std::optional<int> pg;             // product group id (lm-api.md §4)
    std::optional<bool> paid;          // return: paid by the buyer
    std::vector<DocumentItem> items;
};

// A failed validation: `field` is the JSON path of the culprit ("products[2].price").
struct DocumentError {
    std::string field;
    std::string message;
    bool json = false;  // the body was not JSON at all (or not an object)
};

struct DocumentParse {
    bool ok = false;
    RelayDocument document;
    DocumentError error;
};

inline constexpr std::size_t kMaxDocumentItems = 10'000;
inline constexpr std::size_t kMaxIdLength = 128;

// Parses and validates a POST /api/v1/documents body (and a stored canonical document, which
// passes the same checks). `id_header` (the Idempotency-Key header, may be empty) must agree
// with a body "id" when both are given. A document without either gets no id here: the caller
// assigns one.
DocumentParse parse_document(std::string_view body, std::string_view id_header);

// An idempotency key / document id: 1–128 printable ASCII characters, no spaces.
bool valid_document_id(std::string_view id);

// The canonical JSON form (stable field order), including the id.
std::string write_document(const RelayDocument& document);

std::string_view document_type_name(DocumentType type);        // "withdrawal" | "return"
std::string_view document_origin_name(DocumentOrigin origin);  // "api" | "lm"

// CRPT product group name for the True API's ?pg= ("milk" for 8), or empty when unknown.
std::string_view product_group_name(int pg);

}  // namespace piotd::protocol
