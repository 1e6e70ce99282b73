// The period and the stores a dashboard or an export reads (dashboard.js, export.js): the pickers, and the
// choice kept in the URL's fragment (`?period=30&scope=city:Sarajevo`, or `period=custom&from=&to=`), so
// a reload or a shared link shows the same figures.
//
// Periods end "today": the latest date any of the reader's stores has reached (the API's rule), so every
// store's today is in. The scopes: the reader's whole scope, a country, a city or a store, from the stores
// the reader covers (an admin: the chain). The API checks the scope again: a picker only offers.

import * as api from "../api.js";
import { lang, locale, t, today } from "../i18n.js";
import { h } from "../ui.js";

const PERIODS = ["7", "30", "90", "12m", "custom"];

function periodName(period) {
  return {
    7: t("The last 7 days"), 30: t("The last 30 days"), 90: t("The last 90 days"),
    "12m": t("The last 12 months"), custom: t("Chosen dates"),
  }[period];
}

/** The stores the signed-in reader covers, in the reader's language, by name. */
export async function coveredStores() {
  const [{ value: me }, all] = await Promise.all([api.me(), api.stores(lang)]);
  const mine = me?.all_stores || me?.role === "admin" ? all : all.filter((store) => me?.stores.includes(store.id));
  return mine.sort((a, b) => a.name.localeCompare(b.name, locale));
}

/** The choice a fragment's query holds ("period=30&scope=store:X"), with defaults. */
export function chosen(query) {
  const params = new URLSearchParams(query || "");
  const period = PERIODS.includes(params.get("period")) ? params.get("period") : "30";
  return { period, scope: params.get("scope") || "", from: params.get("from") || "", to: params.get("to") || "", params };
}

const isDay = (text) => /^\d{4}-\d{2}-\d{2}$/.test(text);

function shift(iso, { days = 0, years = 0 }) {
  const date = new Date(`${iso}T00:00:00Z`);
  date.setUTCFullYear(date.getUTCFullYear() + years);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The first and last day of a choice (null for a custom period not chosen yet). */
export function periodOf(choice, stores) {
  if (choice.period === "custom") return isDay(choice.from) && isDay(choice.to) && choice.from <= choice.to ? { from: choice.from, to: choice.to } : null;
  const zones = stores.length ? stores.map((store) => store.timezone) : [Intl.DateTimeFormat().resolvedOptions().timeZone];
  const to = zones.map(today).sort().at(-1);
  const from = choice.period === "12m" ? shift(to, { years: -1, days: 1 }) : shift(to, { days: 1 - Number(choice.period) });
  return { from, to };
}

/** The API's query for a choice: from, to and the scope's filter. */
export function apiQuery(choice, period) {
  const query = new URLSearchParams({ from: period.from, to: period.to });
  const [kind, ...rest] = choice.scope.split(":");
  if (["store", "city", "country"].includes(kind) && rest.length) query.set(kind, rest.join(":"));
  return query.toString();
}

const regionName = (code) => {
  try {
    return new Intl.DisplayNames([locale], { type: "region" }).of(code) || code;
  } catch {
    return code;
  }
};

/** The name of a scope in words ("Sarajevo", "Bosnia and Herzegovina", "All my stores"). */
export function scopeName(scope, stores) {
  const [kind, ...rest] = scope.split(":");
  const value = rest.join(":");
  if (kind === "store") return stores.find((store) => store.id === value)?.name || value;
  if (kind === "country") return regionName(value);
  if (kind === "city") return value;
  return t("All my stores");
}

function scopeOptions(stores, current) {
  const option = (value, text) => h("option", { value, selected: value === current }, text);
  const countries = [...new Set(stores.map((store) => store.country))];
  const cities = [...new Set(stores.map((store) => store.city))].sort((a, b) => a.localeCompare(b, locale));
  return [
    option("", t("All my stores")),
    countries.length > 1 && h("optgroup", { label: t("A country") }, countries.map((code) => option(`country:${code}`, regionName(code)))),
    cities.length > 1 && h("optgroup", { label: t("A city") }, cities.map((city) => option(`city:${city}`, city))),
    stores.length > 1 && h("optgroup", { label: t("A store") }, stores.map((store) => option(`store:${store.id}`, store.name))),
  ];
}

/** The pickers: period (with the custom dates) and scope, then `extra` fields and the button. Submitting
 *  calls `go(params)` with the fragment's new query, once the dates are valid. */
export function pickers(choice, stores, { extra = [], button, go }) {
  const period = h("select", { id: "period", name: "period" }, PERIODS.map((value) => h("option", { value, selected: value === choice.period }, periodName(value))));
  const from = h("input", { type: "date", id: "from", name: "from", value: choice.from, "aria-describedby": "dates-problem" });
  const to = h("input", { type: "date", id: "to", name: "to", value: choice.to, "aria-describedby": "dates-problem" });
  const dates = h("div", { class: "dates", hidden: choice.period !== "custom" },
    h("div", { class: "field" }, h("label", { for: "from" }, t("From")), from),
    h("div", { class: "field" }, h("label", { for: "to" }, t("To (included)")), to),
    h("p", { id: "dates-problem", class: "problem", role: "alert" }));
  period.addEventListener("change", () => {
    dates.hidden = period.value !== "custom";
  });
  const scope = h("select", { id: "scope", name: "scope" }, scopeOptions(stores, choice.scope));
  const form = h("form", { class: "filters", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "period" }, t("Period")), period),
    dates,
    h("div", { class: "field" }, h("label", { for: "scope" }, t("Stores")), scope),
    extra,
    h("p", { class: "actions" }, h("button", { type: "submit" }, button)));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams({ period: period.value });
    if (scope.value) params.set("scope", scope.value);
    if (period.value === "custom") {
      const problem = form.querySelector("#dates-problem");
      if (!isDay(from.value) || !isDay(to.value) || from.value > to.value) {
        problem.textContent = t("Choose the first and the last day, the first not after the last.");
        (isDay(from.value) ? to : from).focus();
        return;
      }
      problem.textContent = "";
      params.set("from", from.value);
      params.set("to", to.value);
    }
    go(params, form);
  });
  return form;
}
