#include "daemon/metrics/module_metrics.hpp"

#include "daemon/status/status_snapshot.hpp"
#include "daemon/version.hpp"

namespace piotd::daemon {

void collect_local_module_metrics(const LmMirror& mirror, std::int64_t now_ms,
                                  std::vector<MetricSample>& out) {
    out.push_back({"piotd_local_module_up",
                   "1 when the local module answered the last status poll",
                   MetricType::gauge,
                   {},
                   mirror.reachable ? 1.0 : 0.0});
    out.push_back({"piotd_local_module_ready",
                   "1 when the local module's last status answer said ready",
                   MetricType::gauge,
                   {},
                   mirror.status && mirror.status->status == "ready" ? 1.0 : 0.0});
    if (mirror.status && mirror.status->last_sync_ms) {
        out.push_back({"piotd_local_module_last_sync_age_seconds",
                       "time since the local module's lastSync (sync_error at 72 h)",
                       MetricType::gauge,
                       {},
                       static_cast<double>(now_ms - *mirror.status->last_sync_ms) / 1000});
    }
    out.push_back({"piotd_local_module_circuit_open",
                   "1 while the circuit to the local module is open or half-open",
                   MetricType::gauge,
                   {},
                   mirror.circuit != "closed" ? 1.0 : 0.0});
    const std::pair<const char*, std::uint64_t> checks[] = {{"answered", mirror.checks_answered},
                                                            {"failed", mirror.checks_failed},
                                                            {"skipped", mirror.checks_skipped}};
    for (const auto& [result, count] : checks) {
        out.push_back({"piotd_local_module_checks_total",
                       "checks put to the local module: answered, failed at it, skipped without "
                       "asking it",
                       MetricType::counter,
                       {{"result", result}},
                       static_cast<double>(count)});
    }
    out.push_back({"piotd_local_module_circuit_opened_total",
                   "times the circuit to the local module opened",
                   MetricType::counter,
                   {},
                   static_cast<double>(mirror.circuit_opened)});
}

void add_module_metrics(MetricsRegistry& registry, const LocalModule& module,
                        const StatusSources& sources, ServerFigures server) {
    registry.add_collector([&module, &sources,
                            server = std::move(server)](std::vector<MetricSample>& out) {
        out.push_back({"piotd_build_info",
                       "piotd version",
                       MetricType::gauge,
                       {{"version", std::string(kVersion)}},
                       1});
        const protocol::LmStatus status = module.status();
        for (const protocol::LmStatus s :
             {protocol::LmStatus::not_configured, protocol::LmStatus::initialization,
              protocol::LmStatus::ready, protocol::LmStatus::sync_error}) {
            out.push_back({"piotd_status",
                           "1 for the module's current LM status",
                           MetricType::gauge,
                           {{"status", std::string(protocol::lm_status_name(s))}},
                           s == status ? 1.0 : 0.0});
        }
        const storage::ModuleState state = module.state();
        const auto lags = current_lag(module);
        for (std::size_t i = 0; i < storage::kAllLists.size(); ++i) {
            const storage::ListName list = storage::kAllLists[i];
            const MetricLabels labels = {{"list", std::string(storage::list_name(list))}};
            if (state.loaded_ms[i] != 0 || list == storage::ListName::learned) {
                out.push_back({"piotd_list_items", "items in the local list", MetricType::gauge,
                               labels, static_cast<double>(module.lists().count(list))});
            }
            const LocalModule::ListReplication r = module.replication(list);
            if (r.server_doc_count) {
                out.push_back({"piotd_list_upstream_items", "items the upstream holds in the list",
                               MetricType::gauge, labels,
                               static_cast<double>(*r.server_doc_count)});
            }
            if (lags[i]) {
                out.push_back({"piotd_replication_lag_seconds",
                               "time since the list was last in step with the upstream",
                               MetricType::gauge, labels, static_cast<double>(*lags[i]) / 1000});
                out.push_back({"piotd_replication_last_sync_timestamp_seconds",
                               "when the list was last in step with the upstream (epoch)",
                               MetricType::gauge, labels,
                               static_cast<double>(r.last_synced_ms) / 1000});
            }
        }
        const DataSize size = data_size(module);
        out.push_back({"piotd_lmdb_file_bytes",
                       "size of data.mdb on disk",
                       MetricType::gauge,
                       {},
                       static_cast<double>(size.file_bytes)});
        out.push_back({"piotd_lmdb_used_bytes",
                       "LMDB pages in use, bytes",
                       MetricType::gauge,
                       {},
                       static_cast<double>(size.used_bytes)});
        out.push_back({"piotd_lmdb_map_bytes",
                       "LMDB map size (the most data may grow to)",
                       MetricType::gauge,
                       {},
                       static_cast<double>(size.map_bytes)});
        if (server.open_connections) {
            out.push_back({"piotd_http_open_connections",
                           "open HTTP connections",
                           MetricType::gauge,
                           {},
                           server.open_connections()});
        }
        if (server.refused_connections) {
            out.push_back({"piotd_http_refused_connections_total",
                           "connections refused over [server] max_connections",
                           MetricType::counter,
                           {},
                           server.refused_connections()});
        }
        if (server.evicted_connections) {
            out.push_back({"piotd_http_evicted_connections_total",
                           "idle connections closed to make room for a new client at "
                           "[server] max_connections",
                           MetricType::counter,
                           {},
                           server.evicted_connections()});
        }
        if (sources.outbox != nullptr) {
            const OutboxStatus outbox = sources.outbox->outbox_status();
            out.push_back({"piotd_outbox_queued",
                           "sale/return messages waiting to be sent",
                           MetricType::gauge,
                           {},
                           static_cast<double>(outbox.queued)});
            out.push_back({"piotd_outbox_oldest_age_seconds",
                           "age of the oldest waiting message (0 when empty)",
                           MetricType::gauge,
                           {},
                           static_cast<double>(outbox.oldest_age_ms.value_or(0)) / 1000});
            out.push_back({"piotd_outbox_dead_letters",
                           "messages given up on",
                           MetricType::gauge,
                           {},
                           static_cast<double>(outbox.dead_letters)});
        }
        if (sources.local_module != nullptr) {
            collect_local_module_metrics(sources.local_module->local_module(), module.now_ms(),
                                         out);
        }
    });
}

}  // namespace piotd::daemon
