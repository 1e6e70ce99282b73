// A visit (#/visit/ID): its store, window and scenario; then, by where the work stands,
//
//   to do          "Start the visit" (a returned visit: the reviewer's comment and "Correct the audit"),
//                  or the draft's stages with their progress and "Continue"
//   in the outbox  waiting (with "Send now"), or refused in plain words (naming the items) with what to do
//   sent           the score per stage and in total, the items not met, the proof-of-visit flags, and the
//                  review's outcome once there is one

import * as api from "./api.js";
import * as drafts from "./draft.js";
import { begin, context, notHere, progressLine } from "./fill.js";
import { clock, days, lang, number, percent, t, zoneName } from "./i18n.js";
import * as outbox from "./outbox.js";
import { h, show, status } from "./ui.js";
import { OPEN, ended, stateName } from "./visits.js";

const visitLink = (id, rest = "") => `#/visit/${encodeURIComponent(id)}${rest}`;

/** Why the API refused an audit, in the auditor's words, naming the items it points at. */
export function refusal(problem, body, checklist) {
  if (problem.status === 409) return [t("This visit no longer takes this audit: it already has one, or it was closed.")];
  if (problem.status === 404) return [t("This visit is no longer yours: your manager may have given it to someone else.")];
  if (problem.status !== 422) return [t("The server refused the audit.")];
  const items = new Map((checklist?.stages || []).flatMap((stage) => stage.items.map((item) => [item.id, item.text])));
  const lines = (problem.errors || []).map((error) => {
    const match = /^body\.answers\[(\d+)\]\.(\w+)/.exec(error.path || "");
    if (!match) return /started_at|finished_at/.test(error.path || "") ? t("Check the visit's times.") : t("The audit is not complete.");
    const item = items.get(body.answers[Number(match[1])]?.item) || body.answers[Number(match[1])]?.item || "";
    return match[2] === "comment" ? t("%(item)s: a comment is needed.", { item }) : t("%(item)s: check this answer.", { item });
  });
  return [t("The server refused the audit:"), ...new Set(lines)];
}

function flagWords(flag, zone) {
  switch (flag.code) {
    case "outside_hours": return t("The store was closed at %(time)s.", { time: flag.at ? clock(flag.at, zone) : "" });
    case "far_from_store": return t("The position was %(metres)s m from the store.", { metres: number(flag.metres ?? 0) });
    case "late_submission": return t("Sent %(hours)s h after the visit.", { hours: number(flag.hours ?? 0) });
    default: return flag.code;
  }
}

export function resultView(result, checklist, zone) {
  const stages = new Map((checklist?.stages || []).map((stage) => [stage.id, stage]));
  const items = new Map((checklist?.stages || []).flatMap((stage) => stage.items.map((item) => [item.id, item.text])));
  const score = result.score;
  return h("section", { class: "result", "aria-labelledby": "result" },
    h("h2", { id: "result" }, t("Result")),
    h("p", { class: "total" }, t("Total: %(score)s", { score: score.total === null ? t("N/A") : percent(score.total) })),
    score.critical_failed && score.total !== score.computed && h("p", { class: "late" }, t("A critical item was not met, which limits the total.")),
    h("table", { class: "scores" },
      h("caption", {}, t("Score per stage")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("Stage")), h("th", { scope: "col" }, t("Score")))),
      h("tbody", {}, score.stages.map((stage) => h("tr", {},
        h("th", { scope: "row" }, stages.get(stage.stage)?.title || stage.stage),
        h("td", {}, stage.score === null ? t("N/A") : percent(stage.score)))))),
    score.failed.length > 0 && [h("h3", {}, t("Not met")),
      h("ul", {}, score.failed.map((failed) => h("li", {}, items.get(failed.item) || failed.item,
        failed.critical && [" ", h("span", { class: "badge" }, t("critical"))])))],
    h("h3", {}, t("Proof of visit")),
    result.flags.length
      ? h("ul", { class: "flags" }, result.flags.map((flag) => h("li", {}, flagWords(flag, zone))))
      : h("p", {}, t("Nothing to check: time, place and sending were as expected.")),
    h("p", { class: "muted" }, t("Revision %(number)s, sent %(when)s.", { number: number(result.revision), when: clock(result.submitted_at, zone) })),
  );
}

function outcome(visit, history, zone) {
  const decided = [...(history?.events || [])].reverse().find((event) => ["approved", "rejected", "returned"].includes(event.action));
  if (!decided || !["approved", "rejected", "returned"].includes(visit.state)) {
    return visit.state === "submitted" && h("p", { class: "notice" }, t("Waiting for review."));
  }
  return h("div", { class: `notice review ${visit.state}`, role: "note" },
    h("p", { class: "label" }, stateName(visit.state)),
    decided.comment && h("blockquote", {}, decided.comment),
    h("p", { class: "muted" }, clock(decided.at, zone)));
}

function entryView(entry, checklist, me) {
  if (entry.state === "waiting") {
    return h("section", { class: "notice outbox-entry", "aria-labelledby": "sending" },
      h("h2", { id: "sending" }, t("Waiting to be sent")),
      h("p", {}, entry.tries ? t("Not sent yet: the phone will try again by itself.") : t("The audit is kept on this phone and sent as soon as there is a network.")),
      h("p", {}, h("button", { type: "button", onclick: () => outbox.send({ now: true }) }, t("Send now"))));
  }
  if (entry.state === "refused") {
    return h("section", { class: "notice refused", "aria-labelledby": "refused" },
      h("h2", { id: "refused" }, t("audit|Refused")),
      h("ul", {}, refusal(entry.problem, entry.body, checklist).map((line) => h("li", {}, line))),
      h("p", { class: "actions" },
        OPEN.has(me.state) && h("button", { type: "button", onclick: async () => { await outbox.reopen(entry.id); location.hash = visitLink(entry.visit, "/finish"); } }, t("Correct the audit")),
        h("button", { type: "button", class: "secondary", onclick: () => outbox.discard(entry.id) }, t("Remove it from the phone"))));
  }
  return null;
}

function stagesView(id, checklist, draft) {
  return h("ol", { class: "stages" }, checklist.stages.map((stage, index) => h("li", {},
    h("h3", {}, draft ? h("a", { href: visitLink(id, `/stage/${index + 1}`) }, stage.title) : stage.title),
    stage.expected_result && h("p", { class: "expected" }, h("span", { class: "label" }, t("Expected result")), " ", stage.expected_result),
    draft && h("p", { class: "muted" }, progressLine(drafts.progress(stage, draft))))));
}

export async function visitScreen(main, id) {
  const found = await context(id);
  if (!found) {
    notHere(main);
    return;
  }
  const { visit, store, draft } = found;
  const session = await api.session();
  const { checklist, offline } = await api.checklist(visit, lang);
  if (offline) status({ offline: true });
  const entry = await outbox.forVisit(session.user, id);
  const zone = store?.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone;
  const sentHere = entry?.state === "sent" ? entry : null;
  const waiting = entry && entry.state !== "sent" ? entry : null;
  const { state } = visit; // a sent audit marks the phone's copy of its visit submitted (outbox.js)
  const reviewed = ["approved", "rejected", "returned", "submitted"].includes(state);
  const history = reviewed ? await api.history(id) : null;
  const latest = reviewed && !waiting ? await api.latestAudit(id) : null;
  const result = latest?.result && (!sentHere?.result || latest.result.revision >= sentHere.result.revision) ? latest.result : sentHere?.result;
  const address = store && [store.address, store.city].filter(Boolean).join(", ");
  const work = [];
  if (waiting) work.push(entryView(waiting, checklist, visit));
  else if (OPEN.has(state) && checklist) {
    if (state === "returned") work.push(outcome(visit, history, zone));
    if (draft) {
      work.push(h("p", {}, h("a", { class: "button", href: visitLink(id, "/stage/1") }, t("Continue")), " ",
        h("a", { class: "button secondary", href: visitLink(id, "/finish") }, t("Check and send"))));
      work.push(h("p", { class: "muted" }, t("Saved on this phone as you go.")));
    } else {
      const label = state === "returned" ? t("Correct the audit") : t("Start the visit");
      work.push(h("p", {}, h("button", { type: "button", id: "begin", onclick: async (event) => {
        event.target.disabled = true;
        try {
          await begin(visit, session.user);
        } catch (error) {
          event.target.disabled = false;
          if (!(error instanceof api.Offline)) throw error;
          status({ offline: true });
        }
      } }, label)));
    }
  }
  if (!OPEN.has(state) || (state !== "returned" && result && !waiting)) {
    if (result) work.push(resultView(result, checklist, zone));
    work.push(outcome(visit, history, zone));
  }
  show(main,
    h("p", {}, h("a", { href: "#/" }, t("Back to my visits"))),
    h("h1", {}, store?.name || visit.store_id),
    h("dl", { class: "facts" },
      address && [h("dt", {}, t("Address")), h("dd", {}, address)],
      h("dt", {}, t("State")), h("dd", {}, stateName(state)),
      h("dt", {}, t("Visit window")), h("dd", {}, days(visit.window_start, visit.window_end),
        ended(visit, store) && h("span", { class: "late" }, " ", t("The visit window has ended."))),
    ),
    store?.timezone && h("p", { class: "muted" }, t("Dates are in the store's time zone (%(timezone)s).", { timezone: zoneName(store.timezone) })),
    work,
    h("h2", {}, t("Scenario")),
    h("p", { class: "brief-full" }, visit.scenario),
    h("h2", {}, t("Checklist")),
    checklist
      ? [h("p", {}, `${checklist.title} · ${t("version %(number)s", { number: checklist.version })}`),
        OPEN.has(state) && !waiting ? stagesView(id, checklist, draft) : null]
      : h("p", { class: "problem" }, t("The checklist is not on this phone yet. Open this visit once while online to save it.")),
  );
}
