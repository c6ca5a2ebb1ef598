#include "daemon/status/status_page_html.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "daemon/status/html_text.hpp"
#include "daemon/status/lm_sync_clock.hpp"

namespace piotd::daemon {

namespace {

constexpr std::string_view kStyle = R"css(
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
header{background:#1d2330;color:#fff;padding:12px 20px;display:flex;gap:16px;align-items:baseline;flex-wrap:wrap}
header h1{font-size:18px;margin:0}header small{opacity:.75}
main{padding:16px 20px;display:grid;gap:16px;grid-template-columns:repeat(auto-fit,minmax(420px,1fr))}
section{background:#fff;border-radius:6px;padding:12px 16px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
section.wide{grid-column:1/-1}
h2{font-size:15px;margin:0 0 8px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:3px 8px 3px 0;border-bottom:1px solid #eceef2;vertical-align:middle}
th{font-weight:600;color:#555}td.n{text-align:right;font-variant-numeric:tabular-nums}
.state{font-size:22px;font-weight:700;padding:4px 10px;border-radius:4px;display:inline-block}
.state-ready{background:#d8f3dc;color:#1b5e20}.state-initialization{background:#fff3cd;color:#7a5b00}
.state-sync_error{background:#f8d7da;color:#842029}.state-not_configured,.state-unknown{background:#e2e3e5;color:#41464b}
.muted{color:#777}.bad{color:#b02a37;font-weight:600}.ok{color:#1b5e20;font-weight:600}.warn{color:#7a5b00;font-weight:600}
code{font-size:12px;word-break:break-all}svg.spark{display:block}
.v-blocked{color:#b02a37;font-weight:600}.v-not_blocked{color:#1b5e20}.v-invalid_code,.v-not_ready,.v-error{color:#7a5b00}
)css";

// Refreshes the figures without reloading; every value goes through textContent, never HTML.
constexpr std::string_view kScript = R"js(
(function(){
var live=document.getElementById('live');live.textContent='live: refreshing every 5 s';
function set(id,text){var e=document.getElementById(id);if(e)e.textContent=text;}
function dur(ms){if(ms==null)return 'never';if(ms<1000)return ms+' ms';var s=Math.floor(ms/1000);
if(s<60)return s+' s';if(s<3600)return Math.floor(s/60)+' min';
if(s<86400)return Math.floor(s/3600)+' h '+Math.floor(s%3600/60)+' min';
return Math.floor(s/86400)+' d '+Math.floor(s%86400/3600)+' h';}
function num(v){return v==null?'—':String(v);}
function utc(ms){return ms>0?new Date(ms).toISOString().replace('T',' ').slice(0,19)+' UTC':'never';}
function refresh(){
fetch(location.origin+'/api/v1/status/page',{credentials:'same-origin',cache:'no-store'}).then(function(r){
if(!r.ok)throw new Error('HTTP '+r.status);return r.json();}).then(function(s){
var st=document.getElementById('state');st.textContent=s.state;st.className='state state-'+s.state;
set('reason-ru',s.reason.ru);set('reason-en',s.reason.en);set('last-sync',utc(s.lastSync));
s.lists.forEach(function(l){set('list-'+l.name+'-local',num(l.localCount));
set('list-'+l.name+'-server',num(l.serverCount));set('list-'+l.name+'-loading',num(l.loading));set('list-'+l.name+'-lag',l.lagMs==null?'never':dur(l.lagMs));
set('list-'+l.name+'-sync',utc(l.lastSync));});
if(s.checks){var tb=document.getElementById('checks-body');if(tb){while(tb.firstChild)tb.removeChild(tb.firstChild);
s.checks.forEach(function(c){var tr=document.createElement('tr');
[utc(c.time),c.source,c.code,c.verdict,c.durationNs?(c.durationNs/1000).toFixed(1):'—'].forEach(function(v,i){
var td=document.createElement('td');if(i==2){var k=document.createElement('code');k.textContent=v;td.appendChild(k);}
else td.textContent=v;if(i==3)td.className='v-'+c.verdict;if(i==4)td.className='n';tr.appendChild(td);});
tb.appendChild(tr);});}}
if(s.outbox){set('outbox-queued',String(s.outbox.queued));
set('outbox-oldest',s.outbox.oldestAgeMs==null?'—':dur(s.outbox.oldestAgeMs));
set('outbox-dead',String(s.outbox.deadLetters));
set('outbox-warnings',s.outbox.warnings.length?s.outbox.warnings.join(', '):'none');}
if(s.devices){var db=document.getElementById('devices-body');if(db){while(db.firstChild)db.removeChild(db.firstChild);
s.devices.forEach(function(d){var tr=document.createElement('tr');[d.kind,d.name,d.state,d.detail].forEach(function(v){
var td=document.createElement('td');td.textContent=v;tr.appendChild(td);});db.appendChild(tr);});}}
set('updated','updated '+utc(s.now));live.textContent='live: refreshing every 5 s';
}).catch(function(e){live.textContent='live: refresh failed ('+e.message+')';});}
refresh();setInterval(refresh,5000);
})();
)js";

std::string optional_number(const std::optional<std::uint64_t>& value) {
    return value ? std::to_string(*value) : "—";
}

void cell(std::string& out, std::string_view id, const std::string& text, bool numeric = false) {
    out += "<td";
    if (!id.empty()) {
        out += " id=\"";
        out += html_escape(id);
        out += '"';
    }
    if (numeric) out += " class=\"n\"";
    out += '>';
    out += html_escape(text);
    out += "</td>";
}

// A cell with a class (ok, warn, bad, muted) and an optional id; `text` is escaped.
void styled_cell(std::string& out, std::string_view id, std::string_view css_class,
                 const std::string& text) {
    out += "<td";
    if (!id.empty()) {
        out += " id=\"";
        out += html_escape(id);
        out += '"';
    }
    if (!css_class.empty()) {
        out += " class=\"";
        out += html_escape(css_class);
        out += '"';
    }
    out += '>';
    out += html_escape(text);
    out += "</td>";
}

void not_configured(std::string& out, std::string_view what) {
    out += "<p class=\"muted\">not configured — ";
    out += html_escape(what);
    out += "</p>";
}

void state_section(std::string& out, const StatusSnapshot& s) {
    const std::string state(protocol::lm_status_name(s.state));
    const StateReason reason = state_reason(s.state);
    out += "<section class=\"wide\"><h2>State</h2><span id=\"state\" class=\"state state-";
    out += state;
    out += "\">";
    out += state;
    out += "</span><p id=\"reason-ru\" lang=\"ru\">";
    out += html_escape(reason.ru);
    out += "</p><p id=\"reason-en\" lang=\"en\">";
    out += html_escape(reason.en);
    out += "</p><p>Last sync: <span id=\"last-sync\">";
    out += html_escape(format_utc(s.last_sync_ms));
    out += "</span></p></section>";
}

void lists_section(std::string& out, const StatusSnapshot& s) {
    out +=
        "<section class=\"wide\"><h2>Replication</h2><table id=\"lists\"><thead><tr><th>list</th>"
        "<th>local items</th><th>upstream items</th><th>loading</th><th>lag</th><th>last sync</th>"
        "<th>lag, last 24 h</th></tr></thead><tbody>";
    for (const ListStatusRow& row : s.lists) {
        const std::string id = "list-" + row.name;
        out += "<tr id=\"" + html_escape(id) + "\">";
        cell(out, {}, row.name);
        cell(out, id + "-local", optional_number(row.local_count), true);
        cell(out, id + "-server", optional_number(row.server_count), true);
        cell(out, id + "-loading", optional_number(row.loading), true);
        cell(out, id + "-lag", row.lag_ms ? format_duration(*row.lag_ms) : "never", true);
        cell(out, id + "-sync", format_utc(row.last_sync_ms));
        out += "<td>";
        out += lag_sparkline_svg(row.lag_history);
        out += "</td></tr>";
    }
    out += "</tbody></table></section>";
}

// The LM's status as it sent it picks the state's colours; a value it should not send gets the
// neutral "unknown" ones (the text still shows it, escaped).
std::string_view lm_state_class(const std::string& status) {
    for (const std::string_view known :
         {"ready", "initialization", "not_configured", "sync_error"}) {
        if (status == known) return known;
    }
    return "unknown";
}

void local_module_section(std::string& out, const StatusSnapshot& s) {
    out += "<section id=\"local-module\"><h2>Local module (ЛМ ЧЗ)</h2>";
    if (!s.local_module) {
        not_configured(out, "no [local_module] url: piotd's own lists are the offline source");
        out += "</section>";
        return;
    }
    const LmMirror& lm = *s.local_module;
    const std::string status = lm.status ? lm.status->status : "unknown";
    out += "<p><span id=\"lm-state\" class=\"state state-";
    out += lm_state_class(status);
    out += "\">";
    out += html_escape(status);
    out += "</span>";
    if (!lm.reachable) {
        out += lm.status ? " <span class=\"bad\">unreachable: the last status it sent</span>"
                         : " <span class=\"bad\">no status answer yet</span>";
    }
    out += "</p><table><tbody><tr><th>URL</th><td><code id=\"lm-url\">";
    out += html_escape(lm.url);
    out += "</code></td></tr><tr><th>API version</th>";
    styled_cell(out, "lm-api-version", lm.api_version.empty() ? "muted" : "",
                lm.api_version.empty() ? "not detected yet" : lm.api_version);
    out += "</tr><tr><th>reachable</th>";
    styled_cell(out, "lm-reachable", lm.reachable ? "ok" : "bad", lm.reachable ? "yes" : "no");
    out += "</tr><tr><th>inst</th><td><code id=\"lm-inst\">";
    out += lm.status && !lm.status->inst.empty() ? html_escape(lm.status->inst) : "—";
    out += "</code></td></tr><tr><th>version</th>";
    cell(out, "lm-version", lm.status && !lm.status->version.empty() ? lm.status->version : "—");
    out += "</tr><tr><th>operation mode</th>";
    cell(out, "lm-operation-mode",
         lm.status && !lm.status->operation_mode.empty() ? lm.status->operation_mode : "—");
    out += "</tr><tr><th>last sync</th>";
    const std::optional<std::int64_t> last_sync =
        lm.status ? lm.status->last_sync_ms : std::optional<std::int64_t>();
    const LmSyncClock clock = lm_sync_clock(last_sync, s.now_ms);
    std::string last_sync_text = "unknown";
    if (last_sync) {
        last_sync_text = format_utc(*last_sync);
        if (clock.age_ms >= 0)
            last_sync_text += " (" + format_hours_minutes(clock.age_ms) + " ago)";
    }
    cell(out, "lm-last-sync", last_sync_text);
    out += "</tr><tr><th>72-hour clock</th>";
    const std::string_view clock_class = clock.level == LmSyncClock::Level::ok        ? "ok"
                                         : clock.level == LmSyncClock::Level::warning ? "warn"
                                         : clock.level == LmSyncClock::Level::passed  ? "bad"
                                                                                      : "muted";
    styled_cell(out, "lm-sync-clock", clock_class, lm_sync_clock_text(clock));
    out += "</tr><tr><th>last status poll</th>";
    cell(out, "lm-checked-at", format_utc(lm.checked_at_ms));
    out += "</tr><tr><th>last error</th><td id=\"lm-last-error\">";
    out += lm.last_error.empty() ? "<span class=\"muted\">none</span>"
                                 : "<code>" + html_escape(lm.last_error) + "</code>";
    out += "</td></tr><tr><th>circuit</th>";
    if (lm.circuit == "closed") {
        styled_cell(out, "lm-circuit", "ok", "closed");
    } else if (lm.circuit == "open") {
        styled_cell(out, "lm-circuit", "bad",
                    lm.circuit_open_until_ms > 0
                        ? "open until " + format_utc(lm.circuit_open_until_ms)
                        : std::string("open"));
    } else {
        styled_cell(out, "lm-circuit", "warn", lm.circuit);
    }
    out += "</tr><tr><th>circuit opened</th>";
    cell(out, "lm-circuit-opened", std::to_string(lm.circuit_opened), true);
    out += "</tr><tr><th>checks answered</th>";
    cell(out, "lm-checks-answered", std::to_string(lm.checks_answered), true);
    out += "</tr><tr><th>checks failed</th>";
    cell(out, "lm-checks-failed", std::to_string(lm.checks_failed), true);
    out += "</tr><tr><th>checks skipped</th>";
    cell(out, "lm-checks-skipped", std::to_string(lm.checks_skipped), true);
    out += "</tr></tbody></table></section>";
}

void upstreams_section(std::string& out, const StatusSnapshot& s) {
    out += "<section><h2>Upstreams</h2>";
    if (s.upstreams.empty()) {
        not_configured(out, "no replication upstream ([upstream] url) and no online checks");
    } else {
        out +=
            "<table id=\"upstreams\"><thead><tr><th>upstream</th><th>health</th><th>last ok</th>"
            "<th>last error</th></tr></thead><tbody>";
        for (const UpstreamHealthSnapshot& u : s.upstreams) {
            const bool failing = u.consecutive_errors > 0;
            const bool unknown = u.last_ok_ms == 0 && u.last_error_ms == 0;
            out += "<tr><td>" + html_escape(u.name) + "<br><code>" + html_escape(u.url) +
                   "</code></td>";
            out += unknown   ? "<td class=\"muted\">no contact yet</td>"
                   : failing ? "<td class=\"bad\">failing (" +
                                   std::to_string(u.consecutive_errors) + " in a row)</td>"
                             : "<td class=\"ok\">ok</td>";
            cell(out, {}, format_utc(u.last_ok_ms));
            out += "<td>";
            if (u.last_error_ms != 0) {
                out += html_escape(format_utc(u.last_error_ms)) + "<br><code>" +
                       html_escape(u.last_error) + "</code>";
                for (const auto& [kind, count] : u.errors_by_kind) {
                    out += "<br><small>" + html_escape(kind) + ": " + std::to_string(count) +
                           "</small>";
                }
            } else {
                out += "—";
            }
            out += "</td></tr>";
        }
        out += "</tbody></table>";
    }
    out += "</section>";
}

void cdn_section(std::string& out, const StatusSnapshot& s) {
    out += "<section id=\"cdn\"><h2>CDN hosts (online checks)</h2>";
    if (!s.cdn) {
        not_configured(out, "permissive mode is off");
    } else if (s.cdn->empty()) {
        out += "<p class=\"muted\">no data</p>";
    } else {
        out +=
            "<table><thead><tr><th>host</th><th>avgTimeMs</th><th>state</th></tr></thead><tbody>";
        for (const CdnHostStatus& host : *s.cdn) {
            char avg[32] = "—";
            if (host.avg_time_ms) std::snprintf(avg, sizeof avg, "%.0f", *host.avg_time_ms);
            out += "<tr>";
            cell(out, {}, host.host);
            cell(out, {}, avg, true);
            cell(out, {},
                 host.blocked ? "blocked until " + format_utc(host.blocked_until_ms) : "in use");
            out += "</tr>";
        }
        out += "</tbody></table>";
    }
    out += "</section>";
}

void outbox_section(std::string& out, const StatusSnapshot& s) {
    out += "<section id=\"outbox\"><h2>Outbox (sales and returns)</h2>";
    if (!s.outbox) {
        not_configured(out, "the sell/return relay is not running");
    } else {
        out += "<table><tbody><tr><th>queued</th>";
        cell(out, "outbox-queued", std::to_string(s.outbox->queued), true);
        out += "</tr><tr><th>oldest</th>";
        cell(out, "outbox-oldest",
             s.outbox->oldest_age_ms ? format_duration(*s.outbox->oldest_age_ms) : "—", true);
        out += "</tr><tr><th>dead letters</th>";
        cell(out, "outbox-dead", std::to_string(s.outbox->dead_letters), true);
        out += "</tr><tr><th>warnings</th>";
        std::string warnings;
        for (const std::string& warning : s.outbox->warnings) {
            warnings += (warnings.empty() ? "" : ", ") + warning;
        }
        cell(out, "outbox-warnings", warnings.empty() ? "none" : warnings);
        out += "</tr></tbody></table>";
    }
    out += "</section>";
}

void devices_section(std::string& out, const StatusSnapshot& s) {
    out += "<section id=\"devices\"><h2>Devices</h2>";
    if (!s.devices) {
        not_configured(out, "no scanner or register driver");
    } else if (s.devices->empty()) {
        out += "<p class=\"muted\">no data</p>";
    } else {
        out +=
            "<table><thead><tr><th>device</th><th>port / model</th><th>state</th>"
            "<th>detail</th></tr></thead><tbody id=\"devices-body\">";
        for (const DeviceStatus& device : *s.devices) {
            out += "<tr>";
            cell(out, {}, device.kind);
            cell(out, {}, device.name);
            cell(out, {}, device.state);
            cell(out, {}, device.detail);
            out += "</tr>";
        }
        out += "</tbody></table>";
    }
    out += "</section>";
}

void data_section(std::string& out, const StatusSnapshot& s) {
    out += "<section id=\"data\"><h2>Data</h2><table><tbody><tr><th>data.mdb on disk</th>";
    cell(out, {}, format_bytes(s.data.file_bytes), true);
    out += "</tr><tr><th>in use</th>";
    cell(out, {}, format_bytes(s.data.used_bytes), true);
    out += "</tr><tr><th>map size (limit)</th>";
    cell(out, {}, format_bytes(s.data.map_bytes), true);
    out += "</tr><tr><th>map use</th>";
    char percent[32] = "—";
    if (s.data.map_bytes > 0) {
        std::snprintf(
            percent, sizeof percent, "%.1f %%",
            100.0 * static_cast<double>(s.data.used_bytes) / static_cast<double>(s.data.map_bytes));
    }
    cell(out, "map-use", percent, true);
    out += "</tr></tbody></table></section>";
}

void checks_section(std::string& out, const StatusSnapshot& s) {
    out += "<section class=\"wide\" id=\"checks\"><h2>Last checks</h2>";
    if (!s.checks) {
        not_configured(out, "no check journal");
        out += "</section>";
        return;
    }
    out +=
        "<table><thead><tr><th>time</th><th>source</th><th>code</th><th>verdict</th>"
        "<th>µs</th></tr></thead><tbody id=\"checks-body\">";
    for (const CheckRecord& check : *s.checks) {
        // Journal entries carry no duration (the chain's latency is in /metrics): "—", not 0.0.
        char micros[32] = "—";
        if (check.duration_ns != 0) {
            std::snprintf(micros, sizeof micros, "%.1f",
                          static_cast<double>(check.duration_ns) / 1000);
        }
        const std::string verdict(check_verdict_name(check.verdict));
        out += "<tr>";
        cell(out, {}, format_utc(check.time_ms));
        cell(out, {}, check.source);
        out += "<td><code>" + html_escape(check.code) + "</code></td>";
        out += "<td class=\"v-" + verdict + "\">" + verdict + "</td>";
        cell(out, {}, micros, true);
        out += "</tr>";
    }
    out += "</tbody></table>";
    if (s.checks->empty()) out += "<p class=\"muted\" id=\"checks-empty\">no data</p>";
    out += "</section>";
}

}  // namespace

std::string lag_sparkline_svg(const std::vector<LagSample>& samples, int width, int height) {
    std::string svg = "<svg class=\"spark\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                      std::to_string(width) + "\" height=\"" + std::to_string(height) +
                      "\" viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
                      "\" role=\"img\">";
    std::int64_t max_lag = 0;
    bool any = false;
    for (const LagSample& sample : samples) {
        if (!sample.lag_ms) continue;
        any = true;
        max_lag = std::max(max_lag, *sample.lag_ms);
    }
    if (!any) {
        svg += "<title>no data</title><line x1=\"0\" y1=\"" + std::to_string(height - 1) +
               "\" x2=\"" + std::to_string(width) + "\" y2=\"" + std::to_string(height - 1) +
               "\" stroke=\"#ccc\" stroke-dasharray=\"3 3\"/></svg>";
        return svg;
    }
    svg += "<title>max lag " + html_escape(format_duration(max_lag)) +
           "</title><line x1=\"0\" y1=\"" + std::to_string(height - 1) + "\" x2=\"" +
           std::to_string(width) + "\" y2=\"" + std::to_string(height - 1) +
           "\" stroke=\"#e2e3e5\"/>";
    // Each run of known samples becomes one polyline; unknown samples leave a gap.
    const double step = samples.size() > 1 ? static_cast<double>(width - 2) /
                                                 static_cast<double>(samples.size() - 1)
                                           : 0.0;
    const double scale =
        max_lag > 0 ? static_cast<double>(height - 4) / static_cast<double>(max_lag) : 0.0;
    std::string points;
    std::size_t run = 0;  // points in `points`
    std::string last_point;
    const auto flush = [&] {
        if (run == 1) {
            // A lone sample draws no line: show it as a dot.
            const std::size_t comma = last_point.find(',');
            svg += "<circle r=\"2\" fill=\"#2b6cb0\" cx=\"" + last_point.substr(0, comma) +
                   "\" cy=\"" + last_point.substr(comma + 1) + "\"/>";
        } else if (run > 1) {
            svg += "<polyline fill=\"none\" stroke=\"#2b6cb0\" stroke-width=\"1.5\" points=\"" +
                   points + "\"/>";
        }
        points.clear();
        run = 0;
    };
    for (std::size_t i = 0; i < samples.size(); ++i) {
        if (!samples[i].lag_ms) {
            flush();
            continue;
        }
        char point[48];
        std::snprintf(
            point, sizeof point, "%.1f,%.1f ", 1 + step * static_cast<double>(i),
            static_cast<double>(height - 2) - scale * static_cast<double>(*samples[i].lag_ms));
        points += point;
        last_point.assign(point, std::strlen(point) - 1);  // without the trailing space
        ++run;
    }
    flush();
    svg += "</svg>";
    return svg;
}

std::string render_status_page(const StatusSnapshot& s, std::string_view script_nonce) {
    std::string out;
    out.reserve(32 * 1024);
    out +=
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        "<title>piotd — ";
    out += protocol::lm_status_name(s.state);
    out += "</title><style>";
    out += kStyle;
    out += "</style></head><body><header><h1>";
    out += html_escape(s.name);
    out += "</h1><small>version <span id=\"version\">";
    out += html_escape(s.version);
    out += "</span></small><small>inst <code id=\"inst\">";
    out += html_escape(s.inst);
    out += "</code></small><small id=\"updated\">rendered ";
    out += html_escape(format_utc(s.now_ms));
    out += "</small><small id=\"live\">static page (no JavaScript)</small></header><main>";
    state_section(out, s);
    lists_section(out, s);
    local_module_section(out, s);
    upstreams_section(out, s);
    cdn_section(out, s);
    outbox_section(out, s);
    devices_section(out, s);
    data_section(out, s);
    checks_section(out, s);
    out += "</main><script";
    if (!script_nonce.empty()) {
        out += " nonce=\"";
        out += html_escape(script_nonce);
        out += '"';
    }
    out += '>';
    out += kScript;
    out += "</script></body></html>";
    return out;
}

}  // namespace piotd::daemon
