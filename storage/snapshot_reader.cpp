#include "storage/snapshot_reader.hpp"

#include <stdexcept>

#include "storage/change_log.hpp"
#include "storage/list_item.hpp"
#include "storage/list_slots.hpp"

namespace piotd::storage {

namespace {

constexpr std::size_t kMaxAfterKey = 511;  // LMDB's key limit: no stored key is longer

std::string after_key(ListName list, std::string_view after) {
    if (after.empty()) return {};
    const ListItemParse parsed = parse_list_item(list, after);
    if (!parsed.ok) {
        throw std::invalid_argument("after: not an item of " + std::string(list_name(list)) + ": " +
                                    parsed.error);
    }
    if (parsed.item.key.size() > kMaxAfterKey) {
        throw std::invalid_argument("after: longer than any key of the list");
    }
    return parsed.item.key;
}

}  // namespace

SnapshotReader::SnapshotReader(const BlackLists& lists, ListName list, std::string_view after)
    : list_(list), txn_(lists.env()), after_key_(after_key(list, after)) {
    header_ = read_list_version(txn_, list);
    cursor_ = std::make_unique<Cursor>(
        txn_, slot_db(list, parse_slot(txn_.get(Db::meta, active_key(list)))));
}

SnapshotReader::~SnapshotReader() = default;

bool SnapshotReader::next(std::string& item_text) {
    if (done_) return false;
    bool found = false;
    if (started_) {
        found = cursor_->next();
    } else {
        started_ = true;
        if (after_key_.empty()) {
            found = cursor_->first();
        } else {
            found = cursor_->seek(after_key_);
            if (found && cursor_->key() == after_key_) found = cursor_->next();
        }
    }
    if (!found) {
        done_ = true;
        return false;
    }
    item_text = format_list_item(list_, cursor_->key(), cursor_->value());
    ++count_;
    return true;
}

}  // namespace piotd::storage
