// Complaints: the queue (#/complaints; `?all=1`: resolved and closed ones too) and one ticket
// (#/complaints/TICKET): what the customer wrote, the clock, the history, the next steps the states allow,
// and the reply the customer reads on the ticket's status page.
//
// Every time is on the store's clock, in the reader's language; the flags (overdue, acknowledgement
// overdue) are the API's. Resolving asks for three texts and says which one the customer sees: the reply.
// The resolution and the root cause are staff notes. A resolved complaint's reply can be corrected.

import * as api from "../api.js";
import { queueTable, say, storesOf, zoneOf } from "./desk.js";
import { clock, days, t, zoneName } from "../i18n.js";
import { h, show } from "../ui.js";

// The moves each state allows (as audit_api/domain/complaints.py's TRANSITIONS): the API refuses any other.
const NEXT = {
  received: ["acknowledged", "in_progress"],
  acknowledged: ["in_progress"],
  in_progress: ["resolved"],
  resolved: ["closed", "in_progress"],
  closed: [],
};

export function complaintState(state) {
  return {
    received: t("complaint|Received"),
    acknowledged: t("complaint|Acknowledged"),
    in_progress: t("complaint|Being handled"),
    resolved: t("complaint|Resolved"),
    closed: t("complaint|Closed"),
  }[state] || state;
}

function desiredWords(desired) {
  return {
    exchange: t("An exchange"), refund: t("A refund"), repair: t("A repair"),
    discount: t("A discount"), apology: t("An apology"), other: t("Something else"),
  }[desired] || desired;
}

function moveWords(from, to) {
  if (to === "acknowledged") return t("Acknowledge");
  if (to === "in_progress") return from === "resolved" ? t("complaint|Reopen") : t("Start handling");
  if (to === "closed") return t("complaint|Close");
  return t("Resolve");
}

const ticketLink = (ticket) => `#/complaints/${encodeURIComponent(ticket)}`;

function clocks(complaint) {
  return [
    complaint.overdue && h("span", { class: "badge" }, t("Overdue")),
    complaint.acknowledgement_overdue && h("span", { class: "badge warn" }, t("Acknowledgement overdue")),
  ].filter(Boolean);
}

export async function complaintsScreen(main, query) {
  const all = Boolean(query);
  const list = await api.complaints(all);
  const stores = await storesOf(list.map((complaint) => complaint.store_id));
  const columns = [t("Ticket number"), t("Store"), t("State"), t("When received"), t("Answer due")];
  show(main,
    h("h1", {}, t("Complaints")),
    h("p", {}, all
      ? [t("Every complaint, the soonest due first."), " ", h("a", { href: "#/complaints" }, t("Show only those still open"))]
      : [t("Open complaints, the soonest due first."), " ", h("a", { href: "#/complaints?all=1" }, t("Show resolved and closed ones too"))]),
    list.length === 0
      ? h("p", { class: "notice" }, t("No complaints are waiting."))
      : [queueTable(t("Complaints"), columns, list.map((complaint) => {
        const zone = zoneOf(stores.get(complaint.store_id));
        return [
          h("a", { href: ticketLink(complaint.ticket) }, complaint.ticket),
          stores.get(complaint.store_id)?.name || complaint.store_id,
          complaintState(complaint.state),
          clock(complaint.received_at, zone),
          h("span", { class: "due" }, clock(complaint.respond_by, zone), clocks(complaint).map((badge) => [" ", badge])),
        ];
      })), h("p", { class: "muted" }, t("Times are on each store's own clock."))],
  );
}

function eventWords(event) {
  if (event.kind === "reply") return t("The reply to the customer was corrected.");
  return complaintState(event.to_state);
}

function historyView(events, zone) {
  return h("ol", { class: "history" }, events.map((event) => h("li", {},
    h("p", {}, h("span", { class: "label" }, eventWords(event)), " · ", h("time", { datetime: event.at }, clock(event.at, zone)),
      event.actor && [" · ", event.actor]),
    event.note && h("blockquote", {}, event.note))));
}

function field(id, label, hint, control, kind = "") {
  return h("div", { class: `field ${kind}`.trim() },
    h("label", { for: id }, label),
    hint && h("p", { id: `${id}-hint`, class: "muted" }, hint),
    control,
    h("p", { id: `${id}-problem`, class: "problem", role: "alert" }));
}

function textarea(id, value = "", { rows = 3, max = 4000, hint = false } = {}) {
  const area = h("textarea", { id, name: id, rows: String(rows), maxlength: String(max), "aria-describedby": hint ? `${id}-hint` : false });
  area.value = value;
  return area;
}

function refusedMove(error) {
  if (error instanceof api.Offline) return t("No network: nothing was saved. Connect, then try again.");
  if (error.status === 409) return t("This complaint has moved on meanwhile. Open it again to see where it stands.");
  if (error.status === 403 || error.status === 404) return t("You may not change this complaint.");
  if (error.status === 422 || error.status === 400) return t("The server refused it: check what you wrote.");
  return t("The server could not answer. Try again in a few minutes.");
}

const FIELDS = { "body.resolution": "resolution", "body.root_cause": "root-cause", "body.reply": "reply" };

/** Send `change()`; on success draw the complaint again with `done` said; on refusal say why, next to the field it names. */
async function submit(form, change, done) {
  const problem = form.querySelector(".form-problem");
  for (const element of form.querySelectorAll(".problem")) element.textContent = "";
  const buttons = [...form.querySelectorAll("button")];
  for (const button of buttons) button.disabled = true;
  try {
    const answer = await change();
    say(done(answer.complaint));
    window.dispatchEvent(new HashChangeEvent("hashchange")); // the router draws the ticket again, as it now stands
    return;
  } catch (error) {
    if (!(error instanceof api.Offline || error instanceof api.Refused) || error instanceof api.SignedOut) throw error;
    problem.textContent = refusedMove(error);
    for (const found of error.problem?.errors || []) {
      const target = form.querySelector(`#${FIELDS[found.path]}-problem`);
      if (target) target.textContent = t("Write this: it is needed.");
    }
  }
  for (const button of buttons) button.disabled = false;
}

function movesForm(complaint) {
  const moves = NEXT[complaint.state].filter((to) => to !== "resolved");
  if (moves.length === 0) return null;
  const note = textarea("move-note", "", { hint: true });
  const form = h("section", { class: "moves", "aria-labelledby": "moves" },
    h("h2", { id: "moves" }, t("Next step")),
    field("move-note", t("Note for the history (optional)"), t("Staff only: the customer never reads it."), note),
    h("p", { class: "form-problem problem", role: "alert" }),
    h("p", { class: "actions" }, moves.map((to, index) => h("button", {
      type: "button", class: index > 0 ? "secondary" : false, // the usual next step first
      onclick: () => submit(form, () => api.moveComplaint(complaint.ticket, to, { note: note.value.trim() }),
        (moved) => t("Now: %(state)s.", { state: complaintState(moved.state) })),
    }, moveWords(complaint.state, to)))));
  return form;
}

function resolveForm(complaint) {
  if (!NEXT[complaint.state].includes("resolved")) return null;
  const resolution = textarea("resolution", "", { hint: true });
  const rootCause = textarea("root-cause", "", { max: 1000, hint: true });
  const reply = textarea("reply", "", { rows: 5, hint: true });
  const form = h("section", { class: "resolve", "aria-labelledby": "resolve" },
    h("h2", { id: "resolve" }, t("Resolve the complaint")),
    field("resolution", t("What was done"), t("Staff only: the customer never reads it."), resolution),
    field("root-cause", t("Why it happened (the root cause)"), t("Staff only: the customer never reads it."), rootCause),
    field("reply", t("Reply to the customer"), t("The customer reads this reply on the status page of the ticket, word for word."), reply, "for-customer"),
    h("p", { class: "form-problem problem", role: "alert" }),
    h("p", { class: "actions" }, h("button", { type: "button", onclick: () => {
      const texts = { resolution: resolution.value.trim(), root_cause: rootCause.value.trim(), reply: reply.value.trim() };
      const empty = Object.entries({ resolution: texts.resolution, "root-cause": texts.root_cause, reply: texts.reply }).filter(([, text]) => !text);
      for (const [id, text] of Object.entries({ resolution: texts.resolution, "root-cause": texts.root_cause, reply: texts.reply })) {
        form.querySelector(`#${id}-problem`).textContent = text ? "" : t("Write this: it is needed.");
      }
      if (empty.length) {
        form.querySelector(`#${empty[0][0]}`).focus();
        return;
      }
      submit(form, () => api.moveComplaint(complaint.ticket, "resolved", texts),
        () => t("Resolved. The customer can read the reply on the status page."));
    } }, t("Resolve"))));
  return form;
}

function replyForm(complaint) {
  if (complaint.state !== "resolved") return null;
  const reply = textarea("reply", complaint.reply, { rows: 5, hint: true });
  const note = textarea("reply-note", "", { hint: true });
  const form = h("section", { class: "correct", "aria-labelledby": "correct" },
    h("h2", { id: "correct" }, t("Correct the reply")),
    field("reply", t("Reply to the customer"), t("The customer reads this reply on the status page of the ticket, word for word."), reply, "for-customer"),
    field("reply-note", t("Why it was corrected (optional)"), t("Staff only: the customer never reads it."), note),
    h("p", { class: "form-problem problem", role: "alert" }),
    h("p", { class: "actions" }, h("button", { type: "button", onclick: () => {
      if (!reply.value.trim()) {
        form.querySelector("#reply-problem").textContent = t("Write this: it is needed.");
        reply.focus();
        return;
      }
      submit(form, () => api.correctReply(complaint.ticket, reply.value.trim(), note.value.trim()), () => t("The corrected reply is saved."));
    } }, t("Save the corrected reply"))));
  return form;
}

/** One complaint, with what may be done with it now. */
export async function complaintScreen(main, ticket) {
  const { complaint, events } = await api.complaint(ticket);
  const store = (await storesOf([complaint.store_id])).get(complaint.store_id);
  const zone = zoneOf(store);
  const contact = complaint.contact;
  show(main,
    h("p", {}, h("a", { href: "#/complaints" }, t("Back to the complaints"))),
    h("h1", {}, t("Complaint %(ticket)s", { ticket: complaint.ticket })),
    clocks(complaint).length > 0 && h("p", { class: "clocks" }, clocks(complaint).map((badge) => [badge, " "])),
    h("dl", { class: "facts" },
      h("dt", {}, t("Store")), h("dd", {}, store?.name || complaint.store_id),
      h("dt", {}, t("State")), h("dd", {}, complaintState(complaint.state)),
      h("dt", {}, t("When received")), h("dd", {}, clock(complaint.received_at, zone)),
      h("dt", {}, t("Acknowledgement")), h("dd", {}, complaint.acknowledged_at
        ? t("Done: %(when)s", { when: clock(complaint.acknowledged_at, zone) }) : t("Due by %(when)s", { when: clock(complaint.acknowledge_by, zone) })),
      h("dt", {}, t("Answer")), h("dd", {}, complaint.resolved_at
        ? t("Done: %(when)s", { when: clock(complaint.resolved_at, zone) }) : t("Due by %(when)s", { when: clock(complaint.respond_by, zone) })),
      h("dt", {}, t("It happened on")), h("dd", {}, days(complaint.happened_on, complaint.happened_on)),
      h("dt", {}, t("The customer asks for")), h("dd", {}, desiredWords(complaint.desired)),
      h("dt", {}, t("Contact")), h("dd", {}, contact
        ? [contact.name, contact.email && h("a", { href: `mailto:${contact.email}` }, contact.email), contact.phone && h("a", { href: `tel:${contact.phone}` }, contact.phone)]
          .filter(Boolean).flatMap((part, index) => (index ? [", ", part] : [part]))
        : t("None: the customer reads the answer on the status page."))),
    h("p", { class: "muted" }, t("Dates are in the store's time zone (%(timezone)s).", { timezone: zoneName(zone) })),
    h("h2", {}, t("What the customer wrote")),
    h("blockquote", { class: "note" }, complaint.what || t("Removed after the retention period.")),
    complaint.reply && [h("h2", {}, t("The reply the customer reads")), h("blockquote", { class: "note reply" }, complaint.reply)],
    (complaint.resolution || complaint.root_cause) && h("dl", { class: "facts" },
      complaint.resolution && [h("dt", {}, t("What was done")), h("dd", {}, complaint.resolution)],
      complaint.root_cause && [h("dt", {}, t("Why it happened (the root cause)")), h("dd", {}, complaint.root_cause)]),
    h("p", {}, h("a", { href: `/complaint/status/${encodeURIComponent(complaint.ticket)}?lang=${encodeURIComponent(complaint.language)}`, target: "_blank", rel: "noopener" },
      t("The customer's status page"))),
    movesForm(complaint),
    resolveForm(complaint),
    replyForm(complaint),
    h("h2", {}, t("History")),
    historyView(events, zone),
  );
}
