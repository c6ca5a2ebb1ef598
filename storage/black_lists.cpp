#include "storage/black_lists.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <unordered_set>
#include <vector>

#include "storage/change_log.hpp"
#include "storage/cursor.hpp"
#include "storage/key_filter.hpp"
#include "storage/list_slots.hpp"
#include "storage/storage_error.hpp"

namespace piotd::storage {

namespace {

constexpr std::size_t kListCount = kAllLists.size();
constexpr std::size_t kGtinLength = 14;
constexpr std::size_t kMaxKeySize = 511;  // LMDB's default; longer keys cannot be stored
// Spelled out so the hit path does not build the key string on every lookup.
constexpr std::string_view kActiveCisKey = "active/blocked_cis";
constexpr std::string_view kActiveLearnedKey = "active/learned";
constexpr std::size_t kLearned = static_cast<std::size_t>(ListName::learned);

std::size_t index(ListName list) {
    return static_cast<std::size_t>(list);
}

// A GTIN-14 as a number: the small indexes compare integers, not strings.
std::optional<std::uint64_t> gtin_number(std::string_view gtin) {
    if (gtin.size() != kGtinLength) return std::nullopt;
    std::uint64_t n = 0;
    for (const char c : gtin) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return n;
}

struct SeriesEntry {
    std::uint64_t gtin;
    std::string prefix;
};

struct PriceEntry {
    std::uint64_t gtin;
    std::uint32_t kopecks;
};

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Every publish gets a number no other BlackLists ever had, so a thread-local cache entry can
// never be mistaken for the state of a different instance (tests open several in one thread).
std::atomic<std::uint64_t> g_last_generation{0};

}  // namespace

// Immutable once published; readers share it through shared_ptr. The filters are the one
// exception: add() sets bits in them in place (atomically), which readers tolerate by design.
struct Published {
    std::array<unsigned, kListCount> active{};
    std::array<std::size_t, kListCount> counts{};
    std::size_t sold_count = 0;
    std::shared_ptr<KeyFilter> cis_filter;      // keys of the active blocked_cis slot
    std::shared_ptr<KeyFilter> sold_filter;     // keys of Db::sold
    std::shared_ptr<KeyFilter> learned_filter;  // keys of the active learned slot
    std::vector<std::uint64_t> gtins;           // sorted
    std::vector<SeriesEntry> series;            // sorted by gtin, then prefix
    std::vector<PriceEntry> prices;             // sorted by gtin
};

// Which committed states each live filter is known to cover. A stamp is in `covered` only if
// every key of every committed state carrying that stamp has its bits in `filter`: add() sets
// the bits first and then vouches for the fresh stamp it writes, but only when the stamp it
// replaces was vouched for too (otherwise some other writer got there in between).
struct BlackLists::FilterState {
    struct Tracked {
        std::shared_ptr<KeyFilter> filter;
        unsigned slot = 0;
        std::unordered_set<std::uint64_t> covered;
        std::uint64_t latest = 0;  // the stamp add() wrote last

        // Brings this filter up to the committed state read in `txn`: keeps it when it covers
        // that state, else takes the persisted `blob` when its stamp matches, else scans `db`.
        // Returns true when it had to scan.
        bool refresh(const ReadTxn& txn, Db db, unsigned at_slot, std::uint64_t stamp,
                     std::size_t count, std::optional<std::string_view> blob) {
            if (filter && slot == at_slot && covered.contains(stamp) && !filter->overfull(count)) {
                // Older stamps are history now, except the last one add() vouched for: a
                // transaction still open on another thread continues from it.
                const bool open_txn = latest != stamp && covered.contains(latest);
                covered.clear();
                covered.insert(stamp);
                if (open_txn) covered.insert(latest);
                return false;
            }
            slot = at_slot;
            covered.clear();
            covered.insert(stamp);
            if (blob) {
                if (auto stored = decode_stamped_filter(*blob);
                    stored && stored->stamp == stamp && !stored->filter->overfull(count)) {
                    filter = std::move(stored->filter);
                    return false;
                }
            }
            filter = scan_filter(txn, db);
            return true;
        }
    };
    Tracked cis;
    Tracked sold;
    Tracked learned;
    bool cis_rebuilt = false;  // the last reload had to scan blocked_cis
};

namespace {

void load_small_lists(const ReadTxn& txn, Published& p) {
    {
        Cursor cursor(txn,
                      slot_db(ListName::blocked_gtin, p.active[index(ListName::blocked_gtin)]));
        for (bool more = cursor.first(); more; more = cursor.next()) {
            if (const auto gtin = gtin_number(cursor.key())) p.gtins.push_back(*gtin);
        }
    }
    {
        const Db db = slot_db(ListName::blocked_series, p.active[index(ListName::blocked_series)]);
        Cursor cursor(txn, db);
        for (bool more = cursor.first(); more; more = cursor.next()) {
            const std::string_view key = cursor.key();
            const auto gtin = gtin_number(key.substr(0, kGtinLength));
            if (gtin && key.size() > kGtinLength) {
                p.series.push_back({*gtin, std::string(key.substr(kGtinLength))});
            }
        }
    }
    {
        Cursor cursor(txn, slot_db(ListName::min_price, p.active[index(ListName::min_price)]));
        for (bool more = cursor.first(); more; more = cursor.next()) {
            const auto gtin = gtin_number(cursor.key());
            const std::string_view value = cursor.value();
            if (!gtin || value.size() != 4) continue;
            std::uint32_t kopecks = 0;
            for (std::size_t i = 0; i < 4; ++i) {
                kopecks |= std::uint32_t{static_cast<unsigned char>(value[i])} << (8 * i);
            }
            p.prices.push_back({*gtin, kopecks});
        }
    }
    // LMDB returns keys in byte order, which for equal-length digit strings is numeric order;
    // sorting again only guards against keys of another length having been skipped unevenly.
    std::sort(p.gtins.begin(), p.gtins.end());
    std::sort(p.series.begin(), p.series.end(), [](const SeriesEntry& a, const SeriesEntry& b) {
        return a.gtin != b.gtin ? a.gtin < b.gtin : a.prefix < b.prefix;
    });
    std::sort(p.prices.begin(), p.prices.end(),
              [](const PriceEntry& a, const PriceEntry& b) { return a.gtin < b.gtin; });
}

struct ReaderCache {
    std::uint64_t generation = 0;
    std::shared_ptr<const Published> published;
};
thread_local ReaderCache t_reader;

}  // namespace

BlackLists::BlackLists(Environment& env) : env_(env), filters_(std::make_unique<FilterState>()) {
    if (!env_.read_only()) {
        // Every list has an epoch from the start, so version() never shows one that the first
        // change would replace. Reads first: an open with epochs in place writes nothing.
        bool missing = false;
        {
            const ReadTxn txn(env_);
            for (const ListName list : kAllLists) {
                missing = missing || !txn.get(Db::meta, epoch_key(list)).has_value();
            }
        }
        if (missing) {
            try {
                WriteTxn txn(env_);
                for (const ListName list : kAllLists) ensure_epoch(txn, list);
                txn.commit();
            } catch (const StorageError& e) {
                // The first change creates it too; a full map must not stop checks.
                if (!e.map_full()) throw;
            }
        }
    }
    reload();
    if (filters_->cis_rebuilt && !env_.read_only()) {
        try {
            write_filter(true);
        } catch (const StorageError& e) {
            // The persisted filter only saves the next open a scan; a full map must not stop
            // the module from answering checks from what it has.
            if (!e.map_full()) throw;
        }
    }
}

BlackLists::~BlackLists() = default;

// ---- readers ----

const Published& BlackLists::cached() const {
    const std::uint64_t generation = generation_.load(std::memory_order_acquire);
    if (t_reader.generation != generation) {
        std::lock_guard lock(publish_mutex_);
        t_reader.published = published_;
        t_reader.generation = generation_.load(std::memory_order_relaxed);
    }
    return *t_reader.published;
}

std::shared_ptr<const Published> BlackLists::current() const {
    std::lock_guard lock(publish_mutex_);
    return published_;
}

void BlackLists::check_keyed(const Published& p, std::string_view ki, CodeStatus& status) const {
    if (ki.empty() || ki.size() > kMaxKeySize) return;
    const bool cis_maybe = p.cis_filter->may_contain(ki);
    const bool sold_maybe = p.sold_filter->may_contain(ki);
    // Usually empty: then not even a probe.
    const bool learned_maybe = p.counts[kLearned] != 0 && p.learned_filter->may_contain(ki);
    if (!cis_maybe && !sold_maybe && !learned_maybe) return;  // the common case: no LMDB at all

    const ReadTxn txn = ReadTxn::pooled(env_);
    if (cis_maybe) {
        // The slot comes from this transaction, not from `p`: if a flip committed since `p`
        // was published, the slot `p` names may already be refilled by the next snapshot.
        const unsigned slot = parse_slot(txn.get(Db::meta, kActiveCisKey));
        status.cis_blocked = txn.get(slot_db(ListName::blocked_cis, slot), ki).has_value();
    }
    if (sold_maybe) status.sold = txn.get(Db::sold, ki).has_value();
    if (learned_maybe) {
        const unsigned slot = parse_slot(txn.get(Db::meta, kActiveLearnedKey));
        status.learned_blocked = txn.get(slot_db(ListName::learned, slot), ki).has_value();
    }
}

CodeStatus BlackLists::lookup(const protocol::MarkingCode& code) const {
    const Published& p = cached();
    CodeStatus status;
    if (const auto gtin = gtin_number(code.gtin())) {
        status.gtin_blocked = std::binary_search(p.gtins.begin(), p.gtins.end(), *gtin);

        const std::string_view serial = code.serial();
        auto it =
            std::lower_bound(p.series.begin(), p.series.end(), *gtin,
                             [](const SeriesEntry& e, std::uint64_t g) { return e.gtin < g; });
        for (; it != p.series.end() && it->gtin == *gtin; ++it) {
            if (serial.starts_with(it->prefix)) {
                status.series_blocked = true;
                break;
            }
        }

        const auto price =
            std::lower_bound(p.prices.begin(), p.prices.end(), *gtin,
                             [](const PriceEntry& e, std::uint64_t g) { return e.gtin < g; });
        if (price != p.prices.end() && price->gtin == *gtin) status.min_price = price->kopecks;
    }
    check_keyed(p, code.ki(), status);
    return status;
}

CodeStatus BlackLists::lookup_ki(std::string_view ki) const {
    if (ki.size() <= protocol::kMaxCodeLength) {
        const protocol::ParseResult parsed = protocol::parse_marking_code(ki);
        if (parsed) return lookup(parsed.code);
    }
    // Not a code piotd can parse: it can still be a key someone put on the list verbatim.
    CodeStatus status;
    check_keyed(cached(), ki, status);
    return status;
}

std::size_t BlackLists::count(ListName list) const {
    return cached().counts[index(list)];
}

std::size_t BlackLists::sold_count() const {
    return cached().sold_count;
}

std::optional<SoldRecord> BlackLists::sold_record(std::string_view ki) const {
    if (ki.empty() || ki.size() > kMaxKeySize) return std::nullopt;
    const ReadTxn txn = ReadTxn::pooled(env_);
    const auto value = txn.get(Db::sold, ki);
    return value ? decode_sold_record(*value) : std::nullopt;
}

Db BlackLists::active_db(ListName list) const {
    return slot_db(list, cached().active[index(list)]);
}

// ---- writers ----

SnapshotWriter BlackLists::begin_snapshot(ListName list, std::size_t expected_items) {
    SnapshotOptions options;
    options.expected_items = expected_items;
    return SnapshotWriter(*this, list, options);
}

SnapshotWriter BlackLists::begin_snapshot(ListName list, const SnapshotOptions& options) {
    return SnapshotWriter(*this, list, options);
}

void BlackLists::note_filtered_add(WriteTxn& txn, Filtered which, unsigned slot,
                                   std::string_view key) {
    const std::string_view stamp_key = which == Filtered::sold      ? kSoldStampKey
                                       : which == Filtered::learned ? kLearnedStampKey
                                                                    : kCisStampKey;
    const std::uint64_t replaced = parse_stamp(txn.get(Db::meta, stamp_key));
    const std::uint64_t fresh = new_stamp();
    {
        std::lock_guard lock(filters_mutex_);
        FilterState::Tracked& t = which == Filtered::sold      ? filters_->sold
                                  : which == Filtered::learned ? filters_->learned
                                                               : filters_->cis;
        if (t.filter && t.slot == slot) {
            // Bits before the commit: readers may see a maybe early, never a miss late.
            t.filter->add(key);
            if (t.covered.contains(replaced)) t.covered.insert(fresh);
        }
        t.latest = fresh;
    }
    txn.put(Db::meta, stamp_key, format_stamp(fresh));
}

bool BlackLists::add(WriteTxn& txn, ListName list, const ListItem& item) {
    const unsigned slot = parse_slot(txn.get(Db::meta, active_key(list)));
    const Db db = slot_db(list, slot);
    if (const auto present = txn.get(db, item.key); present && *present == item.value) {
        return false;  // already so: nothing to write, nothing to log
    }
    if (list == ListName::blocked_cis) note_filtered_add(txn, Filtered::cis, slot, item.key);
    if (list == ListName::learned) note_filtered_add(txn, Filtered::learned, slot, item.key);
    txn.put(db, item.key, item.value);
    append_change(txn, list, protocol::ChangeOp::add, format_list_item(list, item.key, item.value),
                  retention_);
    return true;
}

bool BlackLists::remove(WriteTxn& txn, ListName list, std::string_view key) {
    // The filter keeps the key's bits (a false positive until the next rebuild), so the
    // stamp stays: the persisted filter still covers the list.
    const unsigned slot = parse_slot(txn.get(Db::meta, active_key(list)));
    const Db db = slot_db(list, slot);
    const auto present = txn.get(db, key);
    if (!present) return false;
    // The text form needs the value (min_price): taken before the delete invalidates it.
    std::string item = format_list_item(list, key, *present);
    txn.del(db, key);
    append_change(txn, list, protocol::ChangeOp::remove, item, retention_);
    return true;
}

// ---- replication ----

ListVersion BlackLists::version(ListName list) const {
    const ReadTxn txn(env_);
    return read_list_version(txn, list);
}

ChangeRead BlackLists::changes_since(ListName list, std::string_view epoch, std::uint64_t since,
                                     std::size_t limit) const {
    const ReadTxn txn(env_);
    return read_changes(txn, list, epoch, since, limit);
}

std::optional<ReplicationCursor> BlackLists::cursor(ListName list) const {
    const ReadTxn txn(env_);
    return read_cursor(txn, list);
}

std::optional<SnapshotProgress> BlackLists::snapshot_progress(ListName list) const {
    const ReadTxn txn(env_);
    return read_snapshot_progress(txn, list);
}

ApplyResult BlackLists::apply_changes(ListName list, const std::vector<protocol::Change>& changes,
                                      const ReplicationCursor& new_cursor) {
    ApplyResult result;
    {
        WriteTxn txn(env_);
        // A page retried after its answer was lost: what the cursor covers is applied already.
        const auto stored = read_cursor(txn, list);
        const std::uint64_t applied_up_to =
            stored && stored->epoch == new_cursor.epoch ? stored->seq : 0;
        for (const protocol::Change& change : changes) {
            if (change.seq <= applied_up_to) {
                ++result.unchanged;
                continue;
            }
            const ListItemParse parsed = parse_list_item(list, change.item);
            if (!parsed.ok) {
                if (result.rejected++ == 0) {
                    result.first_error = "seq " + std::to_string(change.seq) + ": " + parsed.error;
                }
                continue;
            }
            const bool changed = change.op == protocol::ChangeOp::add
                                     ? add(txn, list, parsed.item)
                                     : remove(txn, list, parsed.item.key);
            ++(changed ? result.applied : result.unchanged);
        }
        write_cursor(txn, list, new_cursor);
        txn.commit();
    }
    publish();
    return result;
}

void BlackLists::mark_sold(WriteTxn& txn, std::string_view ki, std::uint32_t units) {
    mark_sold(txn, ki, units, now_ms());
}

void BlackLists::mark_sold(WriteTxn& txn, std::string_view ki, std::uint32_t units,
                           std::int64_t time_ms) {
    SoldRecord record{units, time_ms};
    if (const auto old_value = txn.get(Db::sold, ki)) {
        if (const auto old = decode_sold_record(*old_value)) {
            if (old->units == 0 || units == 0) {
                record.units = 0;
            } else {
                const std::uint64_t sum = std::uint64_t{old->units} + units;
                record.units = static_cast<std::uint32_t>(
                    std::min<std::uint64_t>(sum, std::numeric_limits<std::uint32_t>::max()));
            }
        }
    }
    note_filtered_add(txn, Filtered::sold, 0, ki);
    txn.put(Db::sold, ki, encode_sold_record(record));
}

bool BlackLists::unmark_sold(WriteTxn& txn, std::string_view ki) {
    return txn.del(Db::sold, ki);
}

// ---- publishing ----

void BlackLists::publish() {
    reload();
}

void BlackLists::reload() {
    std::lock_guard filters_lock(filters_mutex_);
    auto next = std::make_shared<Published>();
    {
        const ReadTxn txn(env_);
        for (const ListName list : kAllLists) {
            const unsigned slot = parse_slot(txn.get(Db::meta, active_key(list)));
            next->active[index(list)] = slot;
            next->counts[index(list)] = txn.entries(slot_db(list, slot));
        }
        next->sold_count = txn.entries(Db::sold);

        const unsigned cis_slot = next->active[index(ListName::blocked_cis)];
        filters_->cis_rebuilt =
            filters_->cis.refresh(txn, slot_db(ListName::blocked_cis, cis_slot), cis_slot,
                                  parse_stamp(txn.get(Db::meta, kCisStampKey)),
                                  next->counts[index(ListName::blocked_cis)],
                                  txn.get(Db::meta, filter_key(ListName::blocked_cis, cis_slot)));
        filters_->sold.refresh(txn, Db::sold, 0, parse_stamp(txn.get(Db::meta, kSoldStampKey)),
                               next->sold_count, std::nullopt);
        const unsigned learned_slot = next->active[kLearned];
        filters_->learned.refresh(txn, slot_db(ListName::learned, learned_slot), learned_slot,
                                  parse_stamp(txn.get(Db::meta, kLearnedStampKey)),
                                  next->counts[kLearned], std::nullopt);
        next->cis_filter = filters_->cis.filter;
        next->sold_filter = filters_->sold.filter;
        next->learned_filter = filters_->learned.filter;

        load_small_lists(txn, *next);
    }
    std::lock_guard lock(publish_mutex_);
    published_ = std::move(next);
    generation_.store(g_last_generation.fetch_add(1, std::memory_order_relaxed) + 1,
                      std::memory_order_release);
}

void BlackLists::persist_filter() {
    write_filter(false);
}

void BlackLists::write_filter(bool force) {
    if (env_.read_only()) return;
    // The write lock first, then filters_mutex_: the order add() takes them in.
    WriteTxn txn(env_);
    const unsigned slot = parse_slot(txn.get(Db::meta, active_key(ListName::blocked_cis)));
    const std::uint64_t stamp = parse_stamp(txn.get(Db::meta, kCisStampKey));
    const std::string key = filter_key(ListName::blocked_cis, slot);
    if (const auto stored = txn.get(Db::meta, key); !force && stored && stored->size() >= 8) {
        std::uint64_t stored_stamp = 0;
        for (std::size_t i = 0; i < 8; ++i) {
            stored_stamp |= std::uint64_t{static_cast<unsigned char>((*stored)[i])} << (8 * i);
        }
        if (stored_stamp == stamp) return;  // already current
    }
    std::string blob;
    {
        std::lock_guard lock(filters_mutex_);
        const FilterState::Tracked& t = filters_->cis;
        // Only a filter known to cover the committed list may be written under its stamp.
        if (!t.filter || t.slot != slot || !t.covered.contains(stamp)) return;
        blob = encode_stamped_filter(stamp, *t.filter);
    }
    txn.put(Db::meta, key, blob);
    txn.commit();
}

}  // namespace piotd::storage
