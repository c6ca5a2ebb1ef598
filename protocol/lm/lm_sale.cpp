#include "protocol/lm/lm_sale.hpp"

#include "protocol/json/json_writer.hpp"

namespace piotd::protocol {

std::string write_lm_sale_request(const RelayDocument& document) {
    JsonBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    write_key(writer, "id");
    write_string(writer, document.id);
    write_key(writer, "cis_list");
    writer.StartArray();
    for (const DocumentItem& item : document.items) {
        if (!item.inner_unit_count) {
            write_string(writer, item.cis);
            continue;
        }
        writer.StartObject();
        write_key(writer, "cis");
        write_string(writer, item.cis);
        write_key(writer, "soldUnitCount");
        writer.Uint(item.quantity);
        write_key(writer, "innerUnitCount");
        writer.Uint(*item.inner_unit_count);
        writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

std::string write_sale_results(const std::vector<SaleCodeResult>& results, std::string_view id) {
    JsonBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    if (!id.empty()) {
        write_key(writer, "id");
        write_string(writer, id);
    }
    write_key(writer, "results");
    writer.StartArray();
    for (const SaleCodeResult& result : results) {
        writer.StartObject();
        write_key(writer, "success");
        writer.Bool(result.success);
        write_key(writer, "cis");
        write_string(writer, result.cis);
        if (!result.success) {
            write_key(writer, "description");
            write_string(writer, result.description);
            write_key(writer, "error");
            write_string(writer, result.error);
        }
        writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

std::string write_sold_page(std::size_t total, const std::vector<SoldItem>& items) {
    JsonBuffer buffer;
    JsonWriter writer(buffer);
    writer.StartObject();
    write_key(writer, "total_count");
    writer.Uint64(total);
    write_key(writer, "cis_list");
    writer.StartArray();
    for (const SoldItem& item : items) write_string(writer, item.cis);
    writer.EndArray();
    // piotd's addition: partially sold packs and how many units went.
    write_key(writer, "partial");
    writer.StartArray();
    for (const SoldItem& item : items) {
        if (item.units == 0) continue;
        writer.StartObject();
        write_key(writer, "cis");
        write_string(writer, item.cis);
        write_key(writer, "soldUnitCount");
        writer.Uint(item.units);
        writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace piotd::protocol
