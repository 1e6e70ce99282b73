// Review: the queue of submitted audits (#/review) and one audit (#/review/ID) to approve, return or reject.
//
// The queue: every submitted visit the reader may see (the API's pages followed), oldest submission first,
// each with its store, checklist, auditor (a login or a pseudonym, as the API names them) and when it was
// sent, on the store's clock. One audit: its facts, the score and proof-of-visit flags (visit.js), then
// stage by stage each answer in words with the items not met marked and their photos (fetched with the
// token as blobs, shown by object URL), the decision with its comment, and the printable report (fetched
// the same way and opened as a blob: the token stays out of every URL).

import * as api from "../api.js";
import { auditorName, blobUrl, queueTable, say, storesOf, zoneOf } from "./desk.js";
import { clock, clockRange, days, lang, number, t, zoneName } from "../i18n.js";
import { h, show } from "../ui.js";
import { resultView } from "../visit.js";
import { stateName } from "../visits.js";

const reviewLink = (id) => `#/review/${encodeURIComponent(id)}`;

/** The checklists of `visits` in the reader's language, by "<id>@<version>": one request per version. */
async function checklistsOf(visits) {
  const found = new Map();
  for (const visit of visits) {
    const key = `${visit.checklist_id}@${visit.checklist_version}`;
    if (!found.has(key)) found.set(key, (await api.checklist(visit, lang)).checklist);
  }
  return found;
}

const checklistKey = (visit) => `${visit.checklist_id}@${visit.checklist_version}`;

export async function reviewQueue(main) {
  const visits = await api.visitsIn("submitted");
  visits.sort((a, b) => a.updated_at.localeCompare(b.updated_at) || a.id.localeCompare(b.id));
  const stores = await storesOf(visits.map((visit) => visit.store_id));
  const checklists = await checklistsOf(visits);
  const columns = [t("Store"), t("Checklist"), t("Auditor"), t("When sent")];
  show(main,
    h("h1", {}, t("Review")),
    h("p", {}, t("Audits waiting for your decision, the longest waiting first.")),
    visits.length === 0
      ? h("p", { class: "notice" }, t("No audits are waiting for review."))
      : [queueTable(t("Audits waiting for review"), columns, visits.map((visit) => {
        const store = stores.get(visit.store_id);
        return [
          h("a", { href: reviewLink(visit.id) }, store?.name || visit.store_id),
          checklists.get(checklistKey(visit))?.title || visit.checklist_id,
          auditorName(visit.auditor),
          clock(visit.updated_at, zoneOf(store)),
        ];
      })), h("p", { class: "muted" }, t("Times are on each store's own clock."))],
  );
}

/** An answer as the reviewer reads it. */
function answerWords(item, answer) {
  if (!answer || answer.na || answer.value === null || answer.value === undefined) return t("N/A");
  switch (item.kind) {
    case "yes_no": return answer.value ? t("answer|Yes") : t("answer|No");
    case "scale": return t("%(value)s on a scale from %(min)s to %(max)s", { value: number(answer.value), min: number(item.min), max: number(item.max) });
    case "number": return [number(answer.value), item.unit].filter(Boolean).join(" ");
    case "choice": return (item.choices || []).find((choice) => choice.id === answer.value)?.label || String(answer.value);
    default: return String(answer.value);
  }
}

function targetWords(item) {
  if (item.kind !== "number" || item.target === undefined || item.target === null) return null;
  const target = [number(item.target), item.unit].filter(Boolean).join(" ");
  return item.rule === "at_most" ? t("Target: at most %(target)s", { target }) : t("Target: at least %(target)s", { target });
}

/** The photos of a visit as <img> (from blobs), and a button for each other file (a PDF opens as a blob). */
async function evidenceViews(visitId, records, itemText) {
  const views = new Map(); // item id ("" for none) -> elements
  for (const record of records) {
    const blob = await api.evidenceFile(visitId, record.sha256);
    const url = blobUrl(blob);
    const label = t("Photo for: %(item)s", { item: itemText(record.item_id) || record.filename });
    const view = ["image/jpeg", "image/png"].includes(record.media_type)
      ? h("a", { href: url, target: "_blank", rel: "noopener", class: "photo-link" }, h("img", { src: url, alt: label, class: "evidence-photo" }))
      : h("a", { href: url, target: "_blank", rel: "noopener" }, t("Open the file %(name)s", { name: record.filename }));
    views.set(record.item_id, [...(views.get(record.item_id) || []), view]);
  }
  return views;
}

function stageView(stage, answers, failed, again, photos) {
  return h("section", { class: "stage", "aria-labelledby": `stage-${stage.id}` },
    h("h3", { id: `stage-${stage.id}` }, stage.title),
    h("ol", { class: "answers-read" }, stage.items.map((item) => {
      const answer = answers.get(item.id);
      const miss = failed.get(item.id);
      return h("li", { class: miss ? "answer failed" : "answer" },
        h("p", { class: "item-text" }, item.text),
        h("p", {}, h("span", { class: "label" }, t("Answer:")), " ", answerWords(item, answer),
          miss && [" ", h("span", { class: "badge warn" }, t("Not met"))],
          miss?.critical && [" ", h("span", { class: "badge" }, t("critical"))],
          again.has(item.id) && [" ", h("span", { class: "badge warn" }, t("Failed again"))]),
        targetWords(item) && h("p", { class: "muted" }, targetWords(item)),
        answer?.comment && h("blockquote", {}, answer.comment),
        photos.get(item.id) && h("div", { class: "photos" }, photos.get(item.id)));
    })));
}

const DECISIONS = [
  ["approve", () => t("Approve"), ""],
  ["return", () => t("Return for correction"), "secondary"],
  ["reject", () => t("Reject"), "secondary danger"],
];

function refusedDecision(error) {
  if (error instanceof api.Offline) return t("No network: the decision was not sent. Connect, then try again.");
  if (error.status === 409) return t("This audit cannot be decided now: it was decided meanwhile, or a photo it needs is missing.");
  if (error.status === 404 || error.status === 403) return t("You may not decide on this audit.");
  if (error.status === 422 || error.status === 400) return t("The server refused the decision: check the comment.");
  return t("The server could not answer. Try again in a few minutes.");
}

function decisionForm(visit, storeName) {
  const comment = h("textarea", { id: "review-comment", rows: "4", maxlength: "4000", "aria-describedby": "review-comment-hint" });
  const problem = h("p", { id: "review-problem", class: "problem", role: "alert" });
  const buttons = DECISIONS.map(([decision, label, kind]) => h("button", {
    type: "button", class: kind || false, "data-decision": decision,
    onclick: async () => {
      const text = comment.value.trim();
      problem.textContent = "";
      if (decision !== "approve" && !text) {
        problem.textContent = t("Write a comment to return or reject the audit: the auditor reads it.");
        comment.focus();
        return;
      }
      for (const button of buttons) button.disabled = true;
      try {
        const decided = await api.review(visit.id, decision, text);
        say(t("Decision saved for %(store)s: %(state)s.", { store: storeName, state: stateName(decided.visit.state) }));
        location.hash = "#/review";
      } catch (error) {
        if (!(error instanceof api.Offline || error instanceof api.Refused) || error instanceof api.SignedOut) throw error;
        problem.textContent = refusedDecision(error);
        for (const button of buttons) button.disabled = false;
      }
    },
  }, label()));
  return h("section", { class: "decision", "aria-labelledby": "decision" },
    h("h2", { id: "decision" }, t("Your decision")),
    h("div", { class: "field" },
      h("label", { for: "review-comment" }, t("Comment for the auditor")),
      h("p", { id: "review-comment-hint", class: "muted" }, t("Needed to return or reject the audit; the auditor reads it.")),
      comment),
    problem,
    h("p", { class: "actions" }, buttons));
}

function reportButton(visit) {
  const problem = h("p", { class: "problem", role: "alert" });
  const opened = h("p", {});
  const button = h("button", { type: "button", class: "secondary", onclick: async () => {
    button.disabled = true;
    problem.textContent = "";
    try {
      const url = blobUrl(await api.report(visit.id, lang));
      // Opened from the page, so it keeps the page's own rules (its Content-Security-Policy); a blocked pop-up gets a link.
      if (!window.open(url, "_blank")) opened.replaceChildren(h("a", { href: url, target: "_blank" }, t("Open the printable report")));
    } catch (error) {
      if (!(error instanceof api.Offline || error instanceof api.Refused) || error instanceof api.SignedOut) throw error;
      problem.textContent = error instanceof api.Offline ? t("No network: connect, then try again.") : t("The server could not answer. Try again in a few minutes.");
    }
    button.disabled = false;
  } }, t("Printable report"));
  return [h("p", {}, button), opened, problem];
}

export async function reviewScreen(main, id) {
  const detail = await api.visitDetail(id);
  const { visit } = detail;
  const [latest, records, checklist, stores] = await Promise.all([
    api.auditOf(id), api.evidenceOf(id), api.checklist(visit, lang).then((answer) => answer.checklist), storesOf([visit.store_id]),
  ]);
  const store = stores.get(visit.store_id);
  const zone = zoneOf(store);
  const storeName = store?.name || visit.store_id;
  const items = new Map((checklist?.stages || []).flatMap((stage) => stage.items.map((item) => [item.id, item])));
  const itemText = (itemId) => items.get(itemId)?.text || itemId;
  const photos = await evidenceViews(id, records, itemText);
  const audit = latest?.audit;
  const answers = new Map((audit?.answers || []).map((answer) => [answer.item, answer]));
  const failed = new Map((latest?.result.score.failed || []).map((miss) => [miss.item, miss]));
  show(main,
    h("p", {}, h("a", { href: "#/review" }, t("Back to the review queue"))),
    h("h1", {}, storeName),
    h("div", { class: "review-body" },
      h("div", { class: "review-main" },
        h("dl", { class: "facts" },
          h("dt", {}, t("Checklist")), h("dd", {}, checklist ? `${checklist.title} · ${t("version %(number)s", { number: checklist.version })}` : visit.checklist_id),
          h("dt", {}, t("Auditor")), h("dd", {}, auditorName(visit.auditor)),
          h("dt", {}, t("State")), h("dd", {}, stateName(visit.state)),
          h("dt", {}, t("Visit window")), h("dd", {}, days(visit.window_start, visit.window_end)),
          audit && [h("dt", {}, t("In the store")), h("dd", {}, clockRange(audit.started_at, audit.finished_at, zone))],
          audit?.staff_observed && [h("dt", {}, t("Staff met")), h("dd", {}, audit.staff_observed)]),
        h("p", { class: "muted" }, t("Dates are in the store's time zone (%(timezone)s).", { timezone: zoneName(zone) })),
        h("h2", {}, t("Scenario")),
        h("p", { class: "brief-full" }, visit.scenario),
        audit?.comment && [h("h2", {}, t("The auditor's note")), h("blockquote", { class: "note" }, audit.comment)],
        !detail.complete && h("div", { class: "notice warn", role: "note" },
          h("p", {}, t("Photos still missing for these items; the audit cannot be approved until they arrive:")),
          h("ul", {}, detail.missing_evidence.map((itemId) => h("li", {}, itemText(itemId))))),
        latest ? resultView(latest.result, checklist, zone) : h("p", {}, t("No audit has been sent for this visit yet.")),
        latest && checklist && [h("h2", {}, t("Answers")), checklist.stages.map((stage) => stageView(stage, answers, failed, new Set(detail.failed_again), photos))],
        photos.get("") && [h("h2", {}, t("Other photos and files")), h("div", { class: "photos" }, photos.get(""))]),
      h("div", { class: "review-side" },
        visit.state === "submitted" ? decisionForm(visit, storeName) : h("p", { class: "notice" }, t("Decided: %(state)s.", { state: stateName(visit.state) })),
        reportButton(visit))),
  );
}
