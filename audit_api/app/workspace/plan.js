// Plan: the upcoming visits (#/plan), one of them to cancel or reassign (#/plan/visit/ID), a wave of visits
// (#/plan/wave) and an import from a CSV file (#/plan/import).
//
// Who plans: admins, area managers (`plans_visits` in GET /api/v1/me) and, where the book says so, every
// store's manager. /me does not tell the book's rule, so for any other manager the list of checklists a
// planner may use is asked once: a 403 there means the reader does not plan, and the nav hides Plan.
// The API decides again on every request; the screens only offer what it would take: a wave's stores are
// those the reader covers, a reassignment never offers an auditor excluded from the visit's store. What the
// API refuses is said in words by the field it names (a wave) or by the line and column (an import).

import * as api from "../api.js";
import { auditorName, queueTable, say, storesOf, zoneOf } from "./desk.js";
import { coveredStores } from "./filters.js";
import { days, lang, locale, number, t, today, zoneName } from "../i18n.js";
import { h, show } from "../ui.js";
import { stateName } from "../visits.js";

let asked = null; // {name, may}: whether a manager without `plans_visits` plans (the book's rule), asked once

/** Whether the signed-in user plans visits (see above). */
export async function plans(me) {
  if (me?.role === "admin" || (me?.role === "manager" && me.plans_visits)) return true;
  if (me?.role !== "manager") return false;
  if (asked?.name !== me.name) {
    let may = true;
    try {
      await api.checklists(lang);
    } catch (error) {
      if (!(error instanceof api.Refused) || error instanceof api.SignedOut || error.status !== 403) throw error;
      may = false;
    }
    asked = { name: me.name, may };
  }
  return asked.may;
}

const planLink = (id) => `#/plan/visit/${encodeURIComponent(id)}`;

function refused(error) {
  if (!(error instanceof api.Offline || error instanceof api.Refused) || error instanceof api.SignedOut) throw error;
  if (error instanceof api.Offline) return t("No network: nothing was saved. Connect, then try again.");
  if (error.status === 409) return t("This visit has moved on meanwhile: it was started, sent or cancelled.");
  if (error.status === 403 || error.status === 404) return t("You do not plan visits to this store.");
  if (error.status === 413) return t("The file is too large.");
  if (error.status === 422 || error.status === 400) return t("The server refused it: check what you wrote.");
  return t("The server could not answer. Try again in a few minutes.");
}

function field(id, label, control, hint) {
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    hint && h("p", { id: `${id}-hint`, class: "muted" }, hint),
    control,
    h("p", { id: `${id}-problem`, class: "problem", role: "alert" }));
}

function auditorWords(auditor, login) {
  return auditor ? `${auditor.display_name} (${auditor.name})` : auditorName(login);
}

/** The links to the other screens of Plan. */
function planLinks() {
  return h("p", { class: "actions" },
    h("a", { class: "button", href: "#/plan/wave" }, t("Plan a wave")),
    h("a", { class: "button secondary", href: "#/plan/import" }, t("Import from CSV")));
}

// --- the upcoming visits ---------------------------------------------------------------------

export async function planScreen(main) {
  const [assigned, started, checklists, auditors] = await Promise.all([
    api.visitsIn("assigned"), api.visitsIn("in_progress"), api.checklists(lang), api.auditors(),
  ]);
  const upcoming = [...assigned, ...started];
  const stores = await storesOf(upcoming.map((visit) => visit.store_id));
  const titles = new Map(checklists.map((checklist) => [checklist.id, checklist.title]));
  const people = new Map(auditors.map((auditor) => [auditor.name, auditor]));
  const storeName = (visit) => stores.get(visit.store_id)?.name || visit.store_id;
  upcoming.sort((a, b) => storeName(a).localeCompare(storeName(b), locale) || a.window_start.localeCompare(b.window_start) || a.id.localeCompare(b.id));
  const columns = [t("Store"), t("Visit window"), t("Checklist"), t("Auditor"), t("State")];
  show(main,
    h("h1", {}, t("Plan")),
    h("p", {}, t("Upcoming visits, by store and window. Open one to cancel it or give it to another auditor.")),
    planLinks(),
    upcoming.length === 0
      ? h("p", { class: "notice" }, t("No visits are planned."))
      : queueTable(t("Upcoming visits"), columns, upcoming.map((visit) => [
        h("a", { href: planLink(visit.id) }, storeName(visit)),
        days(visit.window_start, visit.window_end),
        titles.get(visit.checklist_id) || visit.checklist_id,
        auditorWords(people.get(visit.auditor), visit.auditor),
        stateName(visit.state),
      ])),
  );
}

// --- one upcoming visit: cancel, reassign ------------------------------------------------------

function cancelForm(visit, storeName) {
  const reason = h("textarea", { id: "cancel-reason", rows: "3", maxlength: "2000", "aria-describedby": "cancel-reason-hint" });
  const problem = h("p", { class: "problem", role: "alert" });
  const button = h("button", { type: "button", class: "secondary danger", onclick: async () => {
    problem.textContent = "";
    if (!reason.value.trim()) {
      problem.textContent = t("Say why the visit is cancelled.");
      reason.focus();
      return;
    }
    button.disabled = true;
    try {
      await api.cancelVisit(visit.id, reason.value.trim());
      say(t("The visit to %(store)s is cancelled.", { store: storeName }));
      location.hash = "#/plan";
      return;
    } catch (error) {
      problem.textContent = refused(error);
    }
    button.disabled = false;
  } }, t("Cancel the visit"));
  return h("section", { class: "plan-box", "aria-labelledby": "cancel" },
    h("h2", { id: "cancel" }, t("Cancel the visit")),
    field("cancel-reason", t("Why it is cancelled"), reason, t("Kept in the visit's history.")),
    problem,
    h("p", { class: "actions" }, button));
}

function reassignForm(visit, storeName, auditors) {
  const eligible = auditors.filter((auditor) => auditor.name !== visit.auditor && !auditor.excluded_stores.includes(visit.store_id));
  if (visit.state !== "assigned") return h("p", { class: "notice" }, t("The visit has started: it can no longer go to another auditor."));
  if (eligible.length === 0) return h("p", { class: "notice" }, t("No other auditor may be sent to this store."));
  const select = h("select", { id: "reassign-to" }, eligible.map((auditor) => h("option", { value: auditor.name }, auditorWords(auditor))));
  const problem = h("p", { class: "problem", role: "alert" });
  const button = h("button", { type: "button", onclick: async () => {
    problem.textContent = "";
    button.disabled = true;
    const chosen = eligible.find((auditor) => auditor.name === select.value);
    try {
      await api.reassignVisit(visit.id, select.value);
      say(t("The visit to %(store)s now goes to %(auditor)s.", { store: storeName, auditor: auditorWords(chosen) }));
      location.hash = "#/plan";
      return;
    } catch (error) {
      problem.textContent = refused(error);
    }
    button.disabled = false;
  } }, t("Give it to this auditor"));
  return h("section", { class: "plan-box", "aria-labelledby": "reassign" },
    h("h2", { id: "reassign" }, t("Give the visit to another auditor")),
    field("reassign-to", t("Auditor"), select, t("Auditors excluded from this store are not offered.")),
    problem,
    h("p", { class: "actions" }, button));
}

export async function planVisitScreen(main, id) {
  const [{ visit }, checklists, auditors] = await Promise.all([api.visitDetail(id), api.checklists(lang), api.auditors()]);
  const store = (await storesOf([visit.store_id])).get(visit.store_id);
  const storeName = store?.name || visit.store_id;
  const upcoming = visit.state === "assigned" || visit.state === "in_progress";
  show(main,
    h("p", {}, h("a", { href: "#/plan" }, t("Back to the plan"))),
    h("h1", {}, storeName),
    h("dl", { class: "facts" },
      h("dt", {}, t("Checklist")), h("dd", {}, checklists.find((checklist) => checklist.id === visit.checklist_id)?.title || visit.checklist_id),
      h("dt", {}, t("Auditor")), h("dd", {}, auditorWords(auditors.find((auditor) => auditor.name === visit.auditor), visit.auditor)),
      h("dt", {}, t("State")), h("dd", {}, stateName(visit.state)),
      h("dt", {}, t("Visit window")), h("dd", {}, days(visit.window_start, visit.window_end))),
    h("p", { class: "muted" }, t("Dates are in the store's time zone (%(timezone)s).", { timezone: zoneName(zoneOf(store)) })),
    h("h2", {}, t("Scenario")),
    h("p", { class: "brief-full" }, visit.scenario),
    upcoming
      ? h("div", { class: "plan-boxes" }, reassignForm(visit, storeName, auditors), cancelForm(visit, storeName))
      : h("p", { class: "notice" }, t("This visit is no longer upcoming: it cannot be cancelled or reassigned.")),
  );
}

// --- a wave ------------------------------------------------------------------------------------

function addDays(iso, count) {
  const date = new Date(`${iso}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + count);
  return date.toISOString().slice(0, 10);
}

/** A checkbox named "store" per store, in a fieldset per city with a box that chooses all of the city (when it has several). */
function storePicker(stores) {
  const cities = new Map();
  for (const store of stores) cities.set(store.city, [...(cities.get(store.city) || []), store]);
  return h("div", { class: "cities" }, [...cities].sort(([a], [b]) => a.localeCompare(b, locale)).map(([city, list], index) => {
    const boxes = list.map((store) => h("input", { type: "checkbox", name: "store", value: store.id }));
    const all = h("input", { type: "checkbox", class: "all" });
    const sync = () => {
      const chosen = boxes.filter((box) => box.checked).length;
      all.checked = chosen === boxes.length;
      all.indeterminate = chosen > 0 && chosen < boxes.length;
    };
    all.addEventListener("change", () => {
      for (const box of boxes) box.checked = all.checked;
      sync();
    });
    for (const box of boxes) box.addEventListener("change", sync);
    return h("fieldset", { class: "choices city", "aria-labelledby": `city-${index}` },
      h("legend", { id: `city-${index}` }, city),
      list.length > 1 && h("label", { class: "option all-of" }, all, t("All stores in %(city)s", { city })),
      h("div", { class: "choice-grid" }, list.map((store, at) => h("label", { class: "option" }, boxes[at], store.name))));
  }));
}

/** A wave's refusal in words, by the field the API names and the rule's code (`errors[].code`). */
function waveProblem(found, storesById) {
  const store = /store '([^']+)'/.exec(found.message)?.[1];
  const storeName = storesById.get(store)?.name || store;
  if (found.path === "body.window_end" || found.path === "body.window_start") {
    if (found.code === "window_ended") return ["window", t("This window has ended: today is already past its last day in %(store)s. Choose a later last day.", { store: storeName })];
    if (found.code === "window_backwards") return ["window", t("The last day is before the first.")];
    return ["window", t("Choose the first and the last day of the window.")];
  }
  if (found.path.startsWith("body.store_ids")) {
    if (found.code === "excluded") return ["stores", t("Every chosen auditor is excluded from %(store)s: choose another auditor too.", { store: storeName })];
    return ["stores", t("Choose the stores again: one of them is not known.")];
  }
  if (found.path.startsWith("body.auditors")) return ["auditors", t("Choose the auditors again: one of them can no longer be sent.")];
  if (found.path === "body.checklist_id") return ["checklist", t("Choose a checklist.")];
  if (found.path === "body.scenario") return ["scenario", t("Say what the shopper asks for or buys.")];
  return null;
}

function madeView(made, stores, people, titles) {
  const counts = new Map();
  for (const visit of made) counts.set(visit.auditor, (counts.get(visit.auditor) || 0) + 1);
  const storeName = (visit) => stores.get(visit.store_id)?.name || visit.store_id;
  return h("section", { class: "made", "aria-labelledby": "made" },
    h("h2", { id: "made" }, t("Visits made: %(count)s", { count: number(made.length) })),
    h("table", { class: "scores spread" },
      h("caption", {}, t("How they were spread")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("Auditor")), h("th", { scope: "col" }, t("Visits")))),
      h("tbody", {}, [...counts].map(([login, count]) => h("tr", {},
        h("th", { scope: "row" }, auditorWords(people.get(login), login)), h("td", {}, number(count)))))),
    queueTable(t("Visits made"), [t("Store"), t("Auditor"), t("Visit window"), t("Checklist")], made
      .slice().sort((a, b) => storeName(a).localeCompare(storeName(b), locale))
      .map((visit) => [
        h("a", { href: planLink(visit.id) }, storeName(visit)),
        auditorWords(people.get(visit.auditor), visit.auditor),
        days(visit.window_start, visit.window_end),
        titles.get(visit.checklist_id) || visit.checklist_id,
      ])),
    h("p", {}, h("a", { href: "#/plan" }, t("Back to the plan"))));
}

export async function waveScreen(main) {
  const [stores, checklists, auditors] = await Promise.all([coveredStores(), api.checklists(lang), api.auditors()]);
  const storesById = new Map(stores.map((store) => [store.id, store]));
  const people = new Map(auditors.map((auditor) => [auditor.name, auditor]));
  const titles = new Map(checklists.map((checklist) => [checklist.id, checklist.title]));
  const first = today(Intl.DateTimeFormat().resolvedOptions().timeZone);
  const checklist = h("select", { id: "wave-checklist" }, checklists.map((item) => h("option", { value: item.id }, item.title)));
  const start = h("input", { type: "date", id: "wave-start", value: first });
  const end = h("input", { type: "date", id: "wave-end", value: addDays(first, 7), "aria-describedby": "wave-window-problem" });
  const scenario = h("textarea", { id: "wave-scenario", rows: "4", maxlength: "2000", "aria-describedby": "wave-scenario-hint" });
  const problem = (name) => h("p", { id: `wave-${name}-problem`, class: "problem", role: "alert" });
  const formProblem = h("p", { class: "problem", role: "alert" });
  const result = h("div", {});
  const send = h("button", { type: "button" }, t("Plan the wave"));
  const form = h("section", { class: "wave" },
    h("fieldset", { class: "choices", "aria-describedby": "wave-stores-problem" },
      h("legend", {}, t("Stores")),
      h("p", { class: "muted" }, t("One visit to each chosen store.")),
      storePicker(stores),
      problem("stores")),
    field("wave-checklist", t("Checklist"), checklist),
    h("fieldset", { class: "choices window" },
      h("legend", {}, t("Visit window")),
      h("p", { class: "muted" }, t("The first and the last day, in each store's own time zone.")),
      h("div", { class: "dates" },
        h("div", { class: "field" }, h("label", { for: "wave-start" }, t("First day")), start),
        h("div", { class: "field" }, h("label", { for: "wave-end" }, t("Last day")), end)),
      problem("window")),
    h("fieldset", { class: "choices", "aria-describedby": "wave-auditors-problem" },
      h("legend", {}, t("Auditors")),
      h("p", { class: "muted" }, t("The visits are spread evenly over the chosen auditors, never to one excluded from a store.")),
      h("div", { class: "choice-grid" }, auditors.map((auditor) => h("label", { class: "option" },
        h("input", { type: "checkbox", name: "auditor", value: auditor.name }), auditorWords(auditor)))),
      auditors.length === 0 && h("p", { class: "notice" }, t("There are no auditors yet.")),
      problem("auditors")),
    field("wave-scenario", t("Scenario"), scenario, t("What the shopper asks for or buys; every auditor of the wave reads it.")),
    formProblem,
    h("p", { class: "actions" }, send));
  send.addEventListener("click", async () => {
    for (const element of form.querySelectorAll(".problem")) element.textContent = "";
    const wave = {
      store_ids: [...form.querySelectorAll("input[name=store]:checked")].map((box) => box.value),
      checklist_id: checklist.value,
      auditors: [...form.querySelectorAll("input[name=auditor]:checked")].map((box) => box.value),
      window_start: start.value,
      window_end: end.value,
      scenario: scenario.value.trim(),
    };
    const lacking = [
      [!wave.store_ids.length, "stores", t("Choose at least one store.")],
      [!wave.window_start || !wave.window_end, "window", t("Choose the first and the last day of the window.")],
      [!wave.auditors.length, "auditors", t("Choose at least one auditor.")],
      [!wave.scenario, "scenario", t("Say what the shopper asks for or buys.")],
    ].filter(([missing]) => missing);
    for (const [, name, words] of lacking) form.querySelector(`#wave-${name}-problem`).textContent = words;
    if (lacking.length) return;
    send.disabled = true;
    try {
      const made = await api.planWave(wave);
      form.hidden = true;
      result.replaceChildren(h("p", { class: "notice done", role: "status" }, t("The wave is planned.")), madeView(made, storesById, people, titles));
      result.querySelector("h2").scrollIntoView();
      return;
    } catch (error) {
      formProblem.textContent = refused(error);
      for (const found of error.problem?.errors || []) {
        const placed = waveProblem(found, storesById);
        const target = placed && form.querySelector(`#wave-${placed[0]}-problem`);
        if (target && !target.textContent) target.textContent = placed[1];
        if (target) formProblem.textContent = t("Nothing was planned: correct what is marked above.");
      }
      form.querySelector(".problem:not(:empty)")?.scrollIntoView({ block: "center" });
    }
    send.disabled = false;
  });
  show(main,
    h("p", {}, h("a", { href: "#/plan" }, t("Back to the plan"))),
    h("h1", {}, t("Plan a wave")),
    h("p", {}, t("A visit to every chosen store with one checklist in one window, spread over the chosen auditors.")),
    form,
    result);
}

// --- an import ---------------------------------------------------------------------------------

const COLUMNS = ["store_id", "checklist_id", "auditor", "window_start", "window_end", "scenario"];

/** A problem of an import in words, by the rule's code (`errors[].code`); the API's path is `line 3.auditor`,
 * `line 3` or `body`, and its message quotes the value at fault ('x'). */
function importProblem(found) {
  const where = /^line (\d+)(?:\.(\w+))?$/.exec(found.path);
  const value = /'([^']*)'/.exec(found.message)?.[1] ?? "";
  const quoted = { value: `“${value}”` };
  const words = {
    not_utf8: () => t("This is not UTF-8 text: save the file as CSV UTF-8."),
    not_csv: () => t("This file is not CSV."),
    no_header: () => t("The file is empty: the first line names the columns."),
    missing_column: () => t("The header row lacks the column %(column)s.", { column: value }),
    unknown_column: () => t("The header row names a column that is not known: %(column)s.", { column: value }),
    listed_twice: () => t("The header row names a column twice: %(column)s.", { column: value }),
    no_rows: () => t("There are no visits after the header row."),
    too_many: () => t("Too many visits in one file: import at most 500 a file."),
    field_count: () => t("This line does not have as many fields as the header row."),
    unknown_store: () => t("There is no store %(value)s.", quoted),
    unknown_checklist: () => t("There is no checklist %(value)s.", quoted),
    unknown_auditor: () => t("There is no auditor with the login %(value)s.", quoted),
    excluded: () => t("This auditor is excluded from this store."),
    not_a_date: () => t("Not a date: write it as YYYY-MM-DD."),
    window_ended: () => t("This window has ended: today is already past its last day in the store."),
    window_backwards: () => t("The last day is before the first."),
    scenario_length: () => t("Say what the shopper asks for or buys."),
  }[found.code]?.() ?? t("The server refused it: check what you wrote.");
  const place = where?.[2] ? t("Line %(line)s, column %(column)s", { line: where[1], column: where[2] })
    : where ? t("Line %(line)s", { line: where[1] }) : t("The file");
  return h("li", {}, h("span", { class: "label" }, place), ": ", words);
}

function columnsView(stores, checklists, auditors) {
  const explain = {
    store_id: t("the store's id"),
    checklist_id: t("the checklist's id"),
    auditor: t("the auditor's login"),
    window_start: t("the first day of the visit window, as YYYY-MM-DD, in the store's time zone"),
    window_end: t("the last day of the visit window, as YYYY-MM-DD"),
    scenario: t("what the shopper asks for or buys"),
  };
  return [
    h("h2", {}, t("The columns")),
    h("p", {}, t("The first line names the columns, in any order; then one visit a line. Save the file as CSV UTF-8. Every visit is imported, or none.")),
    h("pre", { class: "sample" }, h("code", {}, `${COLUMNS.join(",")}\n${[stores[0]?.id || "store", checklists[0]?.id || "checklist", auditors[0]?.name || "auditor", addDays(today("UTC"), 1), addDays(today("UTC"), 8), "…"].join(",")}`)),
    h("dl", { class: "facts columns" }, COLUMNS.map((column) => [h("dt", {}, h("code", {}, column)), h("dd", {}, explain[column])])),
    h("details", { class: "ids" },
      h("summary", {}, t("The ids to use")),
      h("div", { class: "id-lists" },
        queueTable(t("Stores"), [t("Store"), "store_id"], stores.map((store) => [store.name, h("code", {}, store.id)])),
        queueTable(t("Checklists"), [t("Checklist"), "checklist_id"], checklists.map((checklist) => [checklist.title, h("code", {}, checklist.id)])),
        queueTable(t("Auditors"), [t("Auditor"), "auditor"], auditors.map((auditor) => [auditor.display_name, h("code", {}, auditor.name)])))),
  ];
}

export async function importScreen(main) {
  const [stores, checklists, auditors] = await Promise.all([coveredStores(), api.checklists(lang), api.auditors()]);
  const storesById = new Map(stores.map((store) => [store.id, store]));
  const people = new Map(auditors.map((auditor) => [auditor.name, auditor]));
  const titles = new Map(checklists.map((checklist) => [checklist.id, checklist.title]));
  const file = h("input", { type: "file", id: "import-file", accept: ".csv,text/csv", class: "visually-hidden", "aria-describedby": "import-file-hint" });
  const chosen = h("span", { class: "chosen", role: "status" });
  file.addEventListener("change", () => { chosen.textContent = file.files[0]?.name || ""; });
  const problem = h("p", { class: "problem", role: "alert" });
  const problems = h("ul", { class: "import-problems" });
  const result = h("div", {});
  const send = h("button", { type: "button" }, t("Import the visits"));
  const form = h("section", { class: "plan-box import" },
    h("div", { class: "field" },
      h("p", { class: "label" }, t("CSV file")),
      h("p", { id: "import-file-hint", class: "muted" }, t("The columns are explained below.")),
      h("p", { class: "file-pick" }, file, h("label", { for: "import-file", class: "button secondary" }, t("Choose a file")), chosen)),
    problem,
    problems,
    h("p", { class: "actions" }, send));
  send.addEventListener("click", async () => {
    problem.textContent = "";
    problems.replaceChildren();
    if (!file.files.length) {
      problem.textContent = t("Choose a CSV file.");
      return;
    }
    send.disabled = true;
    try {
      const made = await api.importVisits(file.files[0]);
      form.hidden = true;
      result.replaceChildren(h("p", { class: "notice done", role: "status" }, t("The visits are imported.")), madeView(made, storesById, people, titles));
      return;
    } catch (error) {
      problem.textContent = error.problem?.errors?.length ? t("Nothing was imported. Correct these lines, then import the file again:") : refused(error);
      problems.replaceChildren(...(error.problem?.errors || []).map(importProblem));
    }
    send.disabled = false;
  });
  show(main,
    h("p", {}, h("a", { href: "#/plan" }, t("Back to the plan"))),
    h("h1", {}, t("Import from CSV")),
    h("p", {}, t("Plan many visits at once from a spreadsheet saved as CSV.")),
    form,
    result,
    columnsView(stores, checklists, auditors));
}
