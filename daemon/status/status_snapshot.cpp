#include "daemon/status/status_snapshot.hpp"

#include <lmdb.h>

#include "daemon/local_module.hpp"
#include "daemon/version.hpp"
#include "storage/replication_cursor.hpp"
#include "storage/transaction.hpp"

namespace piotd::daemon {

DataSize data_size(const LocalModule& module) {
    const storage::Environment& env = module.env();
    DataSize size;
    size.file_bytes = env.file_size();
    size.map_bytes = env.map_size();
    MDB_envinfo info{};
    MDB_stat stat{};
    if (mdb_env_info(env.handle(), &info) == 0 && mdb_env_stat(env.handle(), &stat) == 0) {
        size.used_bytes = (static_cast<std::uint64_t>(info.me_last_pgno) + 1) * stat.ms_psize;
        size.map_bytes = info.me_mapsize;
    }
    return size;
}

std::array<std::optional<std::int64_t>, storage::kAllLists.size()> current_lag(
    const LocalModule& module) {
    std::array<std::optional<std::int64_t>, storage::kAllLists.size()> lag{};
    const std::int64_t now = module.now_ms();
    for (std::size_t i = 0; i < storage::kAllLists.size(); ++i) {
        const LocalModule::ListReplication r = module.replication(storage::kAllLists[i]);
        if (r.last_synced_ms != 0) lag[i] = now - r.last_synced_ms;
    }
    return lag;
}

StatusSnapshot gather_status(const LocalModule& module, const LagHistory& lag,
                             const StatusSources& sources) {
    StatusSnapshot s;
    const storage::ModuleState state = module.state();
    s.now_ms = module.now_ms();
    s.state = module.status();
    s.version = kVersion;
    s.inst = module.inst();
    s.name = module.config().name;
    s.last_sync_ms = state.last_sync_ms;
    s.data = data_size(module);
    const auto lags = current_lag(module);
    std::array<std::optional<storage::SnapshotProgress>, storage::kAllLists.size()> loads;
    {
        const storage::ReadTxn txn(module.env());
        for (std::size_t i = 0; i < loads.size(); ++i) {
            loads[i] = storage::read_snapshot_progress(txn, storage::kAllLists[i]);
        }
    }
    for (std::size_t i = 0; i < storage::kAllLists.size(); ++i) {
        const storage::ListName list = storage::kAllLists[i];
        const LocalModule::ListReplication r = module.replication(list);
        ListStatusRow row;
        row.name = storage::list_name(list);
        // learned grows from checks rather than from a full copy: it is known from the start.
        if (state.loaded_ms[i] != 0 || list == storage::ListName::learned) {
            row.local_count = module.lists().count(list);
        }
        row.server_count = r.server_doc_count;
        if (loads[i]) row.loading = loads[i]->count;
        row.lag_ms = lags[i];
        row.last_sync_ms = r.last_synced_ms != 0 ? r.last_synced_ms : state.loaded_ms[i];
        row.lag_history = lag.samples(list);
        row.lag_history.push_back({s.now_ms, lags[i]});  // the sparkline ends at "now"
        s.lists.push_back(std::move(row));
    }
    for (const UpstreamHealth* upstream : sources.upstreams) {
        if (upstream != nullptr) s.upstreams.push_back(upstream->snapshot());
    }
    if (sources.outbox != nullptr) s.outbox = sources.outbox->outbox_status();
    if (sources.cdn != nullptr) s.cdn = sources.cdn->cdn_hosts();
    if (sources.local_module != nullptr) s.local_module = sources.local_module->local_module();
    if (sources.devices != nullptr) s.devices = sources.devices->devices();
    if (sources.checks != nullptr) s.checks = sources.checks->recent_checks(kStatusRecentChecks);
    return s;
}

StateReason state_reason(protocol::LmStatus state) {
    switch (state) {
        case protocol::LmStatus::ready:
            return {"Готов: списки загружены, коды проверяются.",
                    "Ready: the lists are loaded and codes are checked."};
        case protocol::LmStatus::initialization:
            return {
                "Инициализация: загружаются списки; до окончания проверки отвечают ошибкой 4045.",
                "Initialization: the lists are being loaded; checks answer error 4045 until "
                "done."};
        case protocol::LmStatus::sync_error:
            return {
                "Ошибка синхронизации: списки не обновлялись больше 72 часов; проверки "
                "отвечают ошибкой 4050. Проверьте связь с вышестоящим сервером.",
                "Sync error: the lists have not been updated for more than 72 hours; checks "
                "answer error 4050. Check the connection to the upstream."};
        case protocol::LmStatus::not_configured:
            break;
    }
    return {"Не настроен: нужен токен (POST /api/v1/init) или вышестоящий piotd ([upstream] url).",
            "Not configured: needs a token (POST /api/v1/init) or an upstream piotd ([upstream] "
            "url)."};
}

}  // namespace piotd::daemon
