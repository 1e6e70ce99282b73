// Actions: the corrective actions of the reader's stores (#/actions, filtered: `?show=open|overdue|closed|all`
// and `&store=ID`) and one action (#/actions/ID): what failed, where and when it is due, closing it with a
// note and optionally a photo, and for a closed one what was done, by whom, when, and its photo.
//
// Every failed item of an approved audit opens one (the API's rule); the queue is the API's order, the soonest
// due first, with its flags: overdue (open and past its due time, now) and "failed again" (the store had
// already been told about the same item). The item's words come from the checklist of the audit that failed
// it, in the reader's language, as review.js reads them. A photo is downscaled on the device (photo.js, as
// the auditors' phones do), uploaded, then named when the action is closed.

import * as api from "../api.js";
import { blobUrl, queueTable, say, storesOf, zoneOf } from "./desk.js";
import { coveredStores } from "./filters.js";
import { clock, days, lang, t, zoneName } from "../i18n.js";
import { downscale } from "../photo.js";
import { h, show } from "../ui.js";

const SHOWS = ["open", "overdue", "closed", "all"];
const actionLink = (id) => `#/actions/${encodeURIComponent(id)}`;

function showName(value) {
  return { open: t("Open ones"), overdue: t("Overdue ones"), closed: t("Closed ones"), all: t("All of them") }[value];
}

/** The visits of `ids` with their checklists in the reader's language: {visits, checklists} by visit id. */
async function visitsWithChecklists(ids) {
  const unique = [...new Set(ids)];
  const details = await Promise.all(unique.map((id) => api.visitDetail(id).catch((error) => {
    if (error instanceof api.Refused && !(error instanceof api.SignedOut)) return null; // a visit the reader may not open
    throw error;
  })));
  const visits = new Map(unique.map((id, index) => [id, details[index]?.visit]).filter(([, visit]) => visit));
  const byVersion = new Map();
  for (const visit of visits.values()) {
    const key = `${visit.checklist_id}@${visit.checklist_version}`;
    if (!byVersion.has(key)) byVersion.set(key, api.checklist(visit, lang).then((answer) => answer.checklist));
  }
  const checklists = new Map();
  for (const [id, visit] of visits) checklists.set(id, await byVersion.get(`${visit.checklist_id}@${visit.checklist_version}`));
  return { visits, checklists };
}

/** The item's words and its stage's title in a checklist (the ids when the checklist is not known). */
function itemOf(checklist, action) {
  for (const stage of checklist?.stages || []) {
    const item = stage.items.find((found) => found.id === action.item_id);
    if (item) return { text: item.text, stage: stage.title };
  }
  return { text: action.item_id, stage: action.stage_id };
}

function flags(action) {
  return [
    action.overdue && h("span", { class: "badge" }, t("action|Overdue")),
    action.failed_again && h("span", { class: "badge warn" }, t("Failed again")),
    action.critical && h("span", { class: "badge" }, t("critical")),
  ].filter(Boolean);
}

function filterForm(choice, stores) {
  const show = h("select", { id: "actions-show" }, SHOWS.map((value) => h("option", { value, selected: value === choice.show }, showName(value))));
  const store = h("select", { id: "actions-store" },
    h("option", { value: "" }, t("All my stores")),
    stores.map((item) => h("option", { value: item.id, selected: item.id === choice.store }, item.name)));
  const go = () => {
    const query = new URLSearchParams({ show: show.value });
    if (store.value) query.set("store", store.value);
    location.hash = `#/actions?${query}`;
  };
  show.addEventListener("change", go);
  store.addEventListener("change", go);
  return h("div", { class: "filters" },
    h("div", { class: "field" }, h("label", { for: "actions-show" }, t("Show")), show),
    h("div", { class: "field" }, h("label", { for: "actions-store" }, t("Store")), store));
}

export async function actionsScreen(main, query) {
  const params = new URLSearchParams((query || "").replace(/^\?/, ""));
  const choice = { show: SHOWS.includes(params.get("show")) ? params.get("show") : "open", store: params.get("store") || "" };
  const asked = new URLSearchParams();
  if (choice.show === "open" || choice.show === "closed") asked.set("state", choice.show);
  if (choice.show === "overdue") asked.set("overdue", "true");
  if (choice.store) asked.set("store", choice.store);
  const [list, covered] = await Promise.all([api.actions(asked.toString()), coveredStores()]);
  const [stores, { checklists }] = await Promise.all([storesOf(list.map((action) => action.store_id)), visitsWithChecklists(list.map((action) => action.visit_id))]);
  const columns = [t("Item"), t("Store"), t("Due by"), t("State")];
  show(main,
    h("h1", {}, t("Corrective actions")),
    h("p", {}, t("What the stores must put right after an approved audit, the soonest due first.")),
    filterForm(choice, covered),
    list.length === 0
      ? h("p", { class: "notice" }, t("No corrective actions here."))
      : [queueTable(t("Corrective actions"), columns, list.map((action) => {
        const store = stores.get(action.store_id);
        const item = itemOf(checklists.get(action.visit_id), action);
        return [
          h("a", { href: actionLink(action.id) }, item.text),
          store?.name || action.store_id,
          h("span", { class: "due" }, clock(action.due_at, zoneOf(store))),
          h("span", { class: "flags" }, action.state === "open" ? t("action|Open") : t("action|Closed"), flags(action).map((badge) => [" ", badge])),
        ];
      })), h("p", { class: "muted" }, t("Times are on each store's own clock."))],
  );
}

function refusedClosing(error) {
  if (!(error instanceof api.Offline || error instanceof api.Refused) || error instanceof api.SignedOut) throw error;
  if (error instanceof api.Offline) return t("No network: nothing was saved. Connect, then try again.");
  if (error.status === 409) return t("This action was closed meanwhile. Open it again to see what was done.");
  if (error.status === 413) return t("The photo is too large.");
  if (error.status === 403 || error.status === 404) return t("You may not close this action.");
  if (error.status === 422 || error.status === 400) return t("The server refused it: check what you wrote.");
  return t("The server could not answer. Try again in a few minutes.");
}

function closeForm(action) {
  const note = h("textarea", { id: "close-note", rows: "4", maxlength: "4000", "aria-describedby": "close-note-hint" });
  const file = h("input", { type: "file", id: "close-photo", accept: "image/*", capture: "environment", class: "visually-hidden", "aria-describedby": "close-photo-hint" });
  const pick = h("label", { for: "close-photo", class: "button secondary" }, t("Take a photo"));
  const preview = h("div", { class: "photos" });
  const noteProblem = h("p", { id: "close-note-problem", class: "problem", role: "alert" });
  const photoProblem = h("p", { id: "close-photo-problem", class: "problem", role: "alert" });
  const problem = h("p", { class: "problem", role: "alert" });
  let photo = null; // {blob}: the downscaled photo, sent when the action is closed
  note.addEventListener("input", () => { noteProblem.textContent = ""; });
  file.addEventListener("change", async () => {
    photo = null;
    preview.replaceChildren();
    pick.textContent = file.files.length ? t("Retake the photo") : t("Take a photo");
    photoProblem.textContent = "";
    if (!file.files.length) return;
    try {
      photo = await downscale(file.files[0]);
      preview.append(h("img", { src: blobUrl(photo.blob), alt: t("The photo to send"), class: "evidence-photo" }));
    } catch {
      photoProblem.textContent = t("This file is not a photo the phone can read. Take the photo again.");
    }
  });
  const button = h("button", { type: "button", onclick: async () => {
    for (const element of [noteProblem, photoProblem, problem]) element.textContent = "";
    const text = note.value.trim();
    if (!text) {
      noteProblem.textContent = t("Say what was done.");
      note.focus();
      return;
    }
    button.disabled = true;
    try {
      const sha256 = photo ? (await api.uploadActionPhoto(action.id, photo.blob)).sha256 : null;
      await api.closeAction(action.id, text, sha256);
      say(t("The action is closed."));
      window.dispatchEvent(new HashChangeEvent("hashchange")); // the router draws the action again, as it now stands
      return;
    } catch (error) {
      problem.textContent = refusedClosing(error);
      for (const found of error.problem?.errors || []) {
        if (found.path === "body.note") noteProblem.textContent = t("Say what was done.");
        if (found.path === "body.file" || found.path === "body.photo") photoProblem.textContent = t("This file is not a photo the phone can read. Take the photo again.");
      }
    }
    button.disabled = false;
  } }, t("Close the action"));
  return h("section", { class: "plan-box", "aria-labelledby": "close" },
    h("h2", { id: "close" }, t("Close the action")),
    h("div", { class: "field" },
      h("label", { for: "close-note" }, t("What was done")),
      h("p", { id: "close-note-hint", class: "muted" }, t("Needed: what the store did to put it right.")),
      note, noteProblem),
    h("div", { class: "field" },
      h("p", { class: "label" }, t("Photo of what was done (optional)")),
      h("p", { id: "close-photo-hint", class: "muted" }, t("Reduced on this device before it is sent.")),
      h("p", { class: "file-pick" }, file, pick), preview, photoProblem),
    problem,
    h("p", { class: "actions" }, button));
}

async function closedView(action, zone) {
  const photo = action.photo && blobUrl(await api.actionPhoto(action.id, action.photo));
  return h("section", { class: "plan-box closed", "aria-labelledby": "done" },
    h("h2", { id: "done" }, t("What was done")),
    h("blockquote", { class: "note" }, action.note),
    h("dl", { class: "facts" },
      h("dt", {}, t("Closed by")), h("dd", {}, action.closed_by || "—"),
      h("dt", {}, t("When closed")), h("dd", {}, action.closed_at ? clock(action.closed_at, zone) : "—")),
    photo && h("div", { class: "photos" },
      h("a", { href: photo, target: "_blank", rel: "noopener", class: "photo-link" }, h("img", { src: photo, alt: t("Photo of what was done"), class: "evidence-photo" }))));
}

export async function actionScreen(main, id) {
  const { action } = await api.action(id);
  const [stores, { visits, checklists }, latest] = await Promise.all([
    storesOf([action.store_id]), visitsWithChecklists([action.visit_id]), api.auditOf(action.visit_id),
  ]);
  const store = stores.get(action.store_id);
  const zone = zoneOf(store);
  const visit = visits.get(action.visit_id);
  const checklist = checklists.get(action.visit_id);
  const item = itemOf(checklist, action);
  const visited = latest?.audit?.started_at;
  show(main,
    h("p", {}, h("a", { href: "#/actions" }, t("Back to the corrective actions"))),
    h("h1", {}, item.text),
    flags(action).length > 0 && h("p", { class: "clocks" }, flags(action).map((badge) => [badge, " "])),
    h("dl", { class: "facts" },
      h("dt", {}, t("Store")), h("dd", {}, store?.name || action.store_id),
      h("dt", {}, t("Checklist")), h("dd", {}, checklist?.title || action.checklist_id),
      h("dt", {}, t("Stage")), h("dd", {}, item.stage),
      h("dt", {}, t("The visit")), h("dd", {}, h("a", { href: `#/review/${encodeURIComponent(action.visit_id)}` },
        visited ? clock(visited, zone) : visit ? days(visit.window_start, visit.window_end) : action.visit_id)),
      h("dt", {}, t("Opened")), h("dd", {}, clock(action.opened_at, zone)),
      h("dt", {}, t("Due by")), h("dd", {}, clock(action.due_at, zone)),
      h("dt", {}, t("State")), h("dd", {}, action.state === "open" ? t("action|Open") : t("action|Closed"))),
    h("p", { class: "muted" }, t("Dates are in the store's time zone (%(timezone)s).", { timezone: zoneName(zone) })),
    action.failed_again && h("p", { class: "notice warn" }, t("The store had already been asked to put this item right after an earlier audit, and it failed again."),
      action.repeat_of && [" ", h("a", { href: actionLink(action.repeat_of) }, t("The earlier action"))]),
    action.state === "open" ? closeForm(action) : await closedView(action, zone),
  );
}
