// "My visits": the signed-in auditor's visits grouped by state, each with its store (in the auditor's
// language), its window in the store's own days, the scenario and the checklist it must use. The
// checklists of the visits still to do are downloaded (or revalidated) here, so they are on the phone
// before the auditor walks into a store with no signal; those of visits already done are fetched once.

import * as api from "./api.js";
import * as db from "./db.js";
import { days, lang, number, t, today } from "./i18n.js";
import * as outbox from "./outbox.js";
import { h, show, status } from "./ui.js";

export const OPEN = new Set(["assigned", "in_progress", "returned"]); // the auditor still has work to do

export function stateName(state) {
  return {
    assigned: t("visit|Assigned"),
    in_progress: t("visit|In progress"),
    returned: t("visit|Returned for correction"),
    submitted: t("visit|Submitted"),
    approved: t("visit|Approved"),
    rejected: t("visit|Rejected"),
    cancelled: t("visit|Cancelled"),
  }[state] || state;
}

const ORDER = ["assigned", "in_progress", "returned", "submitted", "approved", "rejected", "cancelled"];

/** A cancelled visit leaves the list, unless this phone still holds a draft for it (then it shows as cancelled). */
function listed(visit, work) {
  return visit.state !== "cancelled" || Boolean(work.get(visit.id)?.draft);
}

/** Whether the visit's last day has passed in its store's time zone. */
export function ended(visit, store) {
  return OPEN.has(visit.state) && Boolean(store?.timezone) && today(store.timezone) > visit.window_end;
}

/** Where the auditor's own work on a visit stands on this phone, in words (or null). */
function workWords(visit, work) {
  if (work.entry?.state === "waiting") return [t("Waiting to be sent"), "waiting"];
  if (work.entry?.state === "refused") return [t("Refused: open the visit to see why"), "refused"];
  if (work.draft && OPEN.has(visit.state)) return [t("Draft saved on this phone"), "draft"];
  return null;
}

function card(visit, store, checklist, work) {
  const words = workWords(visit, work);
  return h("li", { class: "card" },
    h("h3", {}, h("a", { href: `#/visit/${encodeURIComponent(visit.id)}` }, store?.name || visit.store_id)),
    words && h("p", { class: `work ${words[1]}` }, words[0]),
    store?.city && h("p", { class: "muted" }, store.city),
    h("p", {}, h("span", { class: "label" }, t("Visit window")), " ", days(visit.window_start, visit.window_end)),
    ended(visit, store) && h("p", { class: "late" }, t("The visit window has ended.")),
    h("p", { class: "brief" }, visit.scenario),
    h("p", { class: "muted", "data-checklist": visit.id }, checklistLine(visit, checklist)),
  );
}

function checklistLine(visit, checklist) {
  return `${checklist?.title || t("Checklist")} · ${t("version %(number)s", { number: visit.checklist_version })}`;
}

function sending(entries) {
  const waiting = entries.filter((entry) => entry.state === "waiting").length;
  const refused = entries.filter((entry) => entry.state === "refused").length;
  if (!waiting && !refused) return null;
  return h("section", { class: "notice outbox", "aria-labelledby": "outbox" },
    h("h2", { id: "outbox" }, t("Outbox")),
    waiting > 0 && h("p", {}, t("Waiting to be sent: %(count)s", { count: number(waiting) })),
    refused > 0 && h("p", { class: "problem" }, t("Refused, needing you: %(count)s", { count: number(refused) })),
    waiting > 0 && h("p", {}, h("button", { type: "button", onclick: () => outbox.send({ now: true }) }, t("Send now"))));
}

function render(main, me, visits, stores, checklists, work, entries, signOut) {
  const shown = visits.filter((visit) => listed(visit, work));
  const groups = ORDER.map((state) => [state, shown.filter((visit) => visit.state === state)]).filter(([, list]) => list.length);
  show(main,
    h("h1", {}, t("My visits")),
    sending(entries),
    groups.length === 0 && h("p", {}, t("No visits are assigned to you yet.")),
    groups.map(([state, list]) => h("section", { "aria-labelledby": `group-${state}` },
      h("h2", { id: `group-${state}` }, stateName(state)),
      h("ul", { class: "cards" }, list.map((visit) => card(visit, stores.get(visit.store_id), checklists.get(visit.id), work.get(visit.id)))),
    )),
    h("footer", { class: "account" },
      me && h("p", { class: "muted" }, t("Signed in as %(name)s", { name: me.display_name || me.name })),
      h("p", { id: "sign-out-problem", class: "problem", role: "alert" }),
      h("button", { type: "button", class: "secondary", onclick: signOut }, t("Sign out")),
    ),
  );
}

/** Show the visits; resolves when every checklist still needed is on the phone (or cannot be fetched now). */
export async function visitsScreen(main, { me, signOut }) {
  const { visits, updated, offline } = await api.visits();
  const stores = new Map();
  for (const id of new Set(visits.map((visit) => visit.store_id))) stores.set(id, await api.store(id, lang));
  const name = (visit) => stores.get(visit.store_id)?.name || visit.store_id;
  visits.sort((a, b) => a.window_start.localeCompare(b.window_start) || name(a).localeCompare(name(b), lang) || a.id.localeCompare(b.id));
  const checklists = new Map();
  for (const visit of visits) checklists.set(visit.id, await api.keptChecklist(visit, lang));
  const session = await api.session();
  const entries = await outbox.entries(session.user);
  const work = new Map();
  for (const visit of visits) {
    work.set(visit.id, { draft: await db.get("drafts", visit.id), entry: entries.find((entry) => entry.visit === visit.id) });
  }
  status({ offline, updated });
  render(main, me, visits, stores, checklists, work, entries, signOut);
  if (offline) return;
  for (const visit of visits) {
    if (visit.state === "cancelled") continue; // nothing more to do for it
    if (!OPEN.has(visit.state) && checklists.get(visit.id)) continue; // done with: its kept copy will do
    const { checklist, offline: lost } = await api.checklist(visit, lang);
    if (lost) {
      status({ offline: true });
      return;
    }
    const line = [...main.querySelectorAll("[data-checklist]")].find((element) => element.dataset.checklist === visit.id);
    if (line) line.textContent = checklistLine(visit, checklist);
  }
}
