// Export (#/export?kind=audits&format=csv&period=30&scope=...): audits, survey responses or complaints as CSV
// (for a spreadsheet) or JSON lines (for a program), over the period and stores of the same pickers as the
// dashboard (filters.js), from GET /api/v1/exports/{kind}.
//
// The export needs the token, so it is fetched, never linked: the body is read as it arrives (its size said
// as it grows, its rows counted on the way: a CSV row ends at a line break outside quotes), kept as a Blob,
// and offered as a link with the server's file name (Content-Disposition) and an object URL, released when
// another screen is drawn (desk.js). The columns are listed in the API's reference (/schema, under "reports").

import * as api from "../api.js";
import { blobUrl } from "./desk.js";
import { apiQuery, chosen, coveredStores, periodOf, pickers, scopeName } from "./filters.js";
import { days, locale, number, t } from "../i18n.js";
import { h, show } from "../ui.js";

const KINDS = ["audits", "responses", "complaints"];
const FORMATS = ["csv", "jsonl"];

function kindWords(kind) {
  return {
    audits: [t("Audits"), t("One row per item answer of each visit's latest revision: its stage, weights, the answer, its score and whether it failed, the stage's score, the total and the proof-of-visit flags.")],
    responses: [t("Survey responses"), t("One row per response: the store, the touchpoint, the scores and the answers; contact details only where the customer agreed.")],
    complaints: [t("Complaints"), t("One row per complaint: its clock, whether it was answered on time, the customer's words and the reply.")],
  }[kind];
}

function formatWords(format) {
  return {
    csv: [t("CSV"), t("For a spreadsheet (Excel, LibreOffice, Google Sheets).")],
    jsonl: [t("JSON lines"), t("For a program: one JSON object a line.")],
  }[format];
}

function radios(name, legend, values, current, words) {
  return h("fieldset", { class: "choices" },
    h("legend", {}, legend),
    values.map((value) => {
      const [label, hint] = words(value);
      return h("label", { class: "option choice-row" },
        h("input", { type: "radio", name, value, checked: value === current }),
        h("span", {}, h("span", { class: "label" }, label), h("span", { class: "hint" }, hint)));
    }));
}

/** The file name of an attachment ("filename*" in UTF-8 first, then "filename"), else `fallback`. */
export function fileName(disposition, fallback) {
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition || "");
  if (extended) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      // a malformed name: the plain one below
    }
  }
  return /filename\s*=\s*"([^"]*)"/i.exec(disposition || "")?.[1] || fallback;
}

const size = (bytes) => {
  const [value, unit] = bytes >= 1e6 ? [bytes / 1e6, "megabyte"] : bytes >= 1e3 ? [bytes / 1e3, "kilobyte"] : [bytes, "byte"];
  return new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "short", maximumFractionDigits: 1 }).format(value);
};

/** Read a response's body as it arrives: {blob, bytes, rows} (rows without a CSV's header), saying progress. */
async function receive(response, format, progress) {
  const reader = response.body.getReader();
  const chunks = [];
  let bytes = 0;
  let lines = 0;
  let quoted = false;
  let last = 10;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    bytes += value.length;
    for (const byte of value) { // UTF-8 never puts these bytes inside a multi-byte letter
      if (byte === 34 && format === "csv") quoted = !quoted;
      else if (byte === 10 && !quoted) lines += 1;
    }
    last = value[value.length - 1];
    progress(bytes);
  }
  if (bytes > 0 && last !== 10) lines += 1; // a last row without its line break
  const type = response.headers.get("Content-Type") || "application/octet-stream";
  return { blob: new Blob(chunks, { type }), bytes, rows: format === "csv" ? Math.max(lines - 1, 0) : lines };
}

function refused(error) {
  if (error instanceof api.Offline) return t("No network: connect, then try again.");
  if (error.status === 400 || error.status === 422) return t("The server refused these dates. Choose others.");
  return t("The server could not answer. Try again in a few minutes.");
}

/** The export screen: what, in which format, over which period and stores; then the download. */
export async function exportScreen(main, query) {
  const choice = chosen(query?.slice(1));
  const kind = KINDS.includes(choice.params.get("kind")) ? choice.params.get("kind") : "audits";
  const format = FORMATS.includes(choice.params.get("format")) ? choice.params.get("format") : "csv";
  const stores = await coveredStores();
  const result = h("div", { class: "download", role: "status", "aria-live": "polite" });
  const form = pickers(choice, stores, {
    extra: [radios("kind", t("What to export"), KINDS, kind, kindWords), radios("format", t("Format"), FORMATS, format, formatWords)],
    button: t("Export"),
    go: (params, picked) => {
      params.set("kind", picked.querySelector("input[name=kind]:checked").value);
      params.set("format", picked.querySelector("input[name=format]:checked").value);
      history.replaceState(null, "", `#/export?${params}`); // kept for a reload, without drawing the screen again
      download(picked, chosen(params.toString()), stores, result);
    },
  });
  show(main,
    h("h1", {}, t("Export")),
    h("p", {}, t("Download audits, survey responses or complaints for a spreadsheet or your own tools, over the stores you cover. Days are each store's own."),
      " ", h("a", { href: "/schema#/reports", target: "_blank", rel: "noopener" }, t("Every column is explained in the API's documentation."))),
    form,
    result);
}

async function download(form, choice, stores, result) {
  const kind = choice.params.get("kind");
  const format = choice.params.get("format");
  const period = periodOf(choice, stores);
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  result.replaceChildren(h("p", {}, t("Preparing the export…")));
  try {
    const response = await api.exportOf(kind, `${apiQuery(choice, period)}&format=${format}`);
    const fallback = `${kind}-${period.from}-to-${period.to}.${format}`;
    const name = fileName(response.headers.get("Content-Disposition"), fallback);
    const got = await receive(response, format, (bytes) => {
      result.replaceChildren(h("p", {}, t("Received so far: %(size)s", { size: size(bytes) })));
    });
    const link = h("a", { class: "button", href: blobUrl(got.blob), download: name }, t("Save %(name)s", { name }));
    result.replaceChildren(
      h("div", { class: "notice done" },
        h("p", {}, t("Ready. Rows: %(rows)s; size: %(size)s.", { rows: number(got.rows), size: size(got.bytes) })),
        h("p", { class: "what" }, t("%(stores)s, %(period)s", { stores: scopeName(choice.scope, stores), period: days(period.from, period.to) }))),
      h("p", { class: "actions" }, link));
  } catch (error) {
    if (!(error instanceof api.Offline || error instanceof api.Refused) || error instanceof api.SignedOut) throw error;
    result.replaceChildren(h("p", { class: "problem", role: "alert" }, refused(error)));
  } finally {
    button.disabled = false;
  }
}
