// What the screens of the managers' workspace share: the stores they name, tables that become cards on
// a phone, object URLs (photos, the report) released when the screen changes, and a word for the next screen.

import * as api from "../api.js";
import { lang, t } from "../i18n.js";
import { h } from "../ui.js";

let notice = null; // said once, on the next screen drawn (what a decision did)

/** Say `message` at the top of the next screen (after a decision moved the reader on). */
export function say(message) {
  notice = message;
}

const urls = new Set(); // object URLs of the screen on show: photos, the report

/** An object URL for `blob`, released when another screen is drawn. */
export function blobUrl(blob) {
  const url = URL.createObjectURL(blob);
  urls.add(url);
  return url;
}

export function release() {
  for (const url of urls) URL.revokeObjectURL(url);
  urls.clear();
}

/** What `say` left for this screen (once). */
export function taken() {
  const said = notice;
  notice = null;
  return said;
}

/** The stores of `ids` in the reader's language, by id (a store the API does not answer is left out). */
export async function storesOf(ids) {
  const stores = new Map();
  for (const id of new Set(ids)) {
    const store = await api.store(id, lang);
    if (store) stores.set(id, store);
  }
  return stores;
}

/** The time zone to read a store's times in (the reader's own if the store is not known). */
export const zoneOf = (store) => store?.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone;

/** A table that a phone shows as stacked cards: each cell names its column (app.css, `table.queue`). */
export function queueTable(caption, columns, rows) {
  return h("table", { class: "queue" },
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, columns.map((column) => h("th", { scope: "col" }, column)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell, index) => index === 0
      ? h("th", { scope: "row", "data-label": columns[index] }, cell)
      : h("td", { "data-label": columns[index] }, cell))))));
}

/** The auditor as the API names them: a login, or a pseudonym ("Auditor K7Q2M") with its word in the reader's language. */
export function auditorName(name) {
  const code = /^Auditor ([0-9A-Z]{5})$/.exec(name)?.[1];
  return code ? `${t("Auditor")} ${code}` : name;
}
