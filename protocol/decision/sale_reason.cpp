#include "protocol/decision/sale_reason.hpp"

#include <array>

namespace piotd::protocol {

namespace {

// One row per ReasonId, in its order (checked by a static_assert below and by a unit test).
constexpr std::array<Reason, static_cast<std::size_t>(ReasonId::count)> kReasons{{
    {ReasonId::not_valid, true, "not_valid", "online: valid == false",
     "Код маркировки некорректен (неверный формат кода)",
     "The marking code is malformed (invalid code format)", "§7.1 rule 0"},
    {ReasonId::not_found, true, "not_found",
     "online: found == false, or errorCode 10 when found is absent",
     "Код маркировки не найден в ГИС МТ", "The marking code was not found in GIS MT",
     "§7.1 rule 1, §6.4 errorCode; scenario 5.12"},
    {ReasonId::not_utilised, true, "not_utilised", "online: utilised == false",
     "Нет сведений о нанесении кода маркировки",
     "There is no record that the marking code was applied", "§7.1 rule 2; scenario 5.1"},
    {ReasonId::not_verified, true, "not_verified", "online: verified == false",
     "Код проверки (криптоподпись) не прошёл проверку: товар может быть поддельным",
     "The check code (crypto signature) failed verification: the item may be counterfeit",
     "§7.1 rule 3; scenario 5.14"},
    {ReasonId::check_error, true, "check_error",
     "online: errorCode not 0 and not explained by a rule above",
     "ГИС МТ сообщила об ошибке проверки кода маркировки",
     "GIS MT reported an error checking the marking code", "§6.4 errorCode; tspiot-kkt.md §A.4.3"},
    {ReasonId::blocked, true, "blocked", "isBlocked == true (online and offline)",
     "Продажа заблокирована по решению органа власти",
     "Sale is blocked by a decision of a government authority",
     "§7.1 rule 6, §7.2; scenarios 5.6, 5.19, 5.20, 5.22, 5.23"},
    {ReasonId::sold, true, "sold", "sold == true (online and offline)",
     "Товар уже выведен из оборота (продан)",
     "The item has already been withdrawn from circulation (sold)",
     "§7.1 rule 4, §7.2; scenario 5.5"},
    {ReasonId::not_realizable, true, "not_realizable",
     "online: realizable == false, unless tobacco (groupIds has 3) with grayZone == true",
     "Товар не введён в оборот", "The item has not been introduced into circulation",
     "§7.1 rule 5; scenario 5.2"},
    {ReasonId::expired, true, "expired",
     "expireDate < now (online); AI 17 of the code when the answer has no expireDate, and offline",
     "Истёк срок годности товара", "The item's expiry date has passed",
     "§7.1 rule 7; scenario 5.7"},
    {ReasonId::price_above_mrp, true, "price_above_mrp",
     "tobacco: price > the MRP (pack: base-80 price in the code, else mrp; block: AI 8005)",
     "Цена продажи выше максимальной розничной цены (МРЦ), указанной в коде",
     "The sale price is above the maximum retail price (MRP) in the code",
     "§7.1 rules 8–9, §7.5; scenarios 5.8–5.11"},
    {ReasonId::price_below_min_price, true, "price_below_min_price",
     "tobacco: price < smp (pack) or smp × packageQuantity (block)",
     "Цена продажи ниже единой минимальной цены (ЕМЦ)",
     "The sale price is below the unified minimum price", "§7.1 rules 8–9; scenarios 5.24, 5.25"},
    {ReasonId::code_mrp_below_min_price, true, "code_mrp_below_min_price",
     "tobacco: the MRP in the code (pack) or AI 8005 (block) < smp (× packageQuantity)",
     "МРЦ в коде маркировки ниже единой минимальной цены (ЕМЦ)",
     "The MRP in the marking code is below the unified minimum price",
     "§7.1 rules 8–9; scenarios 5.24, 5.25"},
    {ReasonId::price_below_mrp, true, "price_below_mrp",
     "not tobacco (ncp 16, otp 12, others) with mrp: price < mrp",
     "Цена продажи ниже минимальной цены, установленной для товара",
     "The sale price is below the minimum price set for the item", "§7.1 rule 10; scenario 5.26"},
    {ReasonId::own_list, true, "own_list",
     "offline: piotd's own lists (the chain's stop list) refuse what the local module allows",
     "Продажа запрещена собственным стоп-листом сети",
     "Sale is refused by the chain's own stop list", "§7.2; docs/local-module.md"},
    {ReasonId::lm_unavailable, true, "lm_unavailable",
     "offline: the local module gave no valid answer and local_module.on_failure = deny",
     "Локальный модуль Честного знака не ответил: проверка невозможна",
     "The local module gave no valid answer: the code cannot be checked",
     "§3.6, §7.3; docs/local-module.md"},
    {ReasonId::tobacco_grey_zone, false, "tobacco_grey_zone",
     "online: tobacco with realizable == false and grayZone == true (sale allowed)",
     "Табачная продукция из «серой зоны»: продажа разрешена",
     "Tobacco from the \"grey zone\": sale is allowed", "§7.1 rule 5; scenario 5.4"},
    {ReasonId::price_not_checked, false, "price_not_checked",
     "a price limit applies but the POS sent no price (see minPrice/maxPrice)",
     "Цена не передана: проверьте её по ограничениям МРЦ/ЕМЦ",
     "No price was sent: check it against the MRP/minimum price limits", "§7.1 rules 8–10"},
}};

constexpr bool table_in_order() {
    for (std::size_t i = 0; i < kReasons.size(); ++i) {
        if (static_cast<std::size_t>(kReasons[i].id) != i) return false;
    }
    return true;
}
static_assert(table_in_order(), "kReasons must follow ReasonId order");

}  // namespace

const Reason& reason(ReasonId id) {
    return kReasons[static_cast<std::size_t>(id)];
}

std::span<const Reason> all_reasons() {
    return kReasons;
}

const Reason* find_reason(std::string_view code) {
    for (const Reason& r : kReasons) {
        if (r.code == code) return &r;
    }
    return nullptr;
}

}  // namespace piotd::protocol
