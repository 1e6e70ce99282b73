// Filling in an audit, stage by stage (#/visit/ID/stage/N), then checking and sending it
// (#/visit/ID/finish). Every change is saved to the draft at once (draft.js); a failed item asks for
// the comment or photo its rule requires right there. One control per item kind:
//
//   yes_no   two radio buttons            scale   a radio button per rating
//   number   a number field, its target   choice  a radio button per choice
//
// and "N/A" beside them where the item allows it.

import * as api from "./api.js";
import * as db from "./db.js";
import * as drafts from "./draft.js";
import { clock, fromLocalInput, lang, number, t, toLocalInput, zoneName } from "./i18n.js";
import * as outbox from "./outbox.js";
import { downscale } from "./photo.js";
import { h, show } from "./ui.js";

/** What a visit's screens need: {visit, store, checklist, draft}; null when it is not on the phone. */
export async function context(id) {
  const visit = await api.visit(id);
  if (!visit) return null;
  const store = await api.store(visit.store_id, lang);
  const checklist = await api.keptChecklist(visit, lang);
  const draft = await drafts.load(id);
  return { visit, store, checklist, draft };
}

export function notHere(main) {
  show(main, h("p", {}, h("a", { href: "#/" }, t("Back to my visits"))), h("h1", {}, t("My visits")),
    h("p", { class: "problem" }, t("This visit is not on this phone. Go back to your visits while online.")));
}

export function progressLine({ done, total }) {
  return t("Answered: %(done)s of %(total)s", { done: number(done), total: number(total) });
}

function lackWords(lacks) {
  return { answer: t("Not answered yet."), comment: t("A comment is needed: the item is not met."), photo: t("A photo is needed: the item is not met.") }[lacks] || "";
}

function targetText(item) {
  const target = [number(item.target), item.unit].filter(Boolean).join(" ");
  return item.rule === "at_most" ? t("Target: at most %(target)s", { target }) : t("Target: at least %(target)s", { target });
}

function radio(name, value, label, checked, described) {
  const id = `${name}-${value}`;
  return h("label", { class: "option", for: id },
    h("input", { type: "radio", id, name, value, checked, "aria-describedby": described }), h("span", {}, label));
}

/** The item's answer controls; `pick(answer)` is called with each new answer. */
function controls(item, answer, pick) {
  const name = `answer-${item.id}`;
  const na = Boolean(answer?.na);
  const value = na ? "na" : answer?.value === undefined || answer?.value === null ? null : String(answer.value);
  if (item.kind === "number") {
    const field = h("input", {
      type: "number", id: name, name, min: "0", step: "any", inputmode: "decimal", value: na ? "" : value ?? "", disabled: na,
      "aria-describedby": `target-${item.id}`,
    });
    field.addEventListener("input", () => {
      const typed = field.value === "" ? null : Number(field.value);
      pick({ value: Number.isFinite(typed) && typed >= 0 ? typed : null });
    });
    const notApplicable = item.na_allowed ? h("input", { type: "checkbox", id: `${name}-na`, checked: na }) : null;
    notApplicable?.addEventListener("change", () => {
      field.disabled = notApplicable.checked;
      const typed = field.value === "" ? null : Number(field.value);
      pick(notApplicable.checked ? { na: true } : { value: Number.isFinite(typed) ? typed : null });
    });
    return h("div", { class: "number" },
      h("label", { for: name }, item.unit ? t("Measured, in %(unit)s", { unit: item.unit }) : t("Measured")), field,
      h("p", { id: `target-${item.id}`, class: "muted" }, targetText(item)),
      notApplicable && h("label", { class: "option", for: `${name}-na` }, notApplicable, h("span", {}, t("Not applicable (N/A)"))));
  }
  const options = {
    yes_no: [["true", t("answer|Yes")], ["false", t("answer|No")]],
    scale: Array.from({ length: item.max - item.min + 1 }, (_, i) => [String(item.min + i), number(item.min + i)]),
    choice: (item.choices || []).map((choice) => [choice.id, choice.label]),
  }[item.kind] || [];
  if (item.na_allowed) options.push(["na", t("N/A")]);
  const group = h("div", { class: `options ${item.kind}`, role: "radiogroup", "aria-labelledby": `text-${item.id}` },
    options.map(([v, label]) => radio(name, v, label, v === value, item.kind === "scale" ? `scale-${item.id}` : undefined)));
  group.addEventListener("change", (event) => {
    const chosen = event.target.value;
    if (chosen === "na") pick({ na: true });
    else if (item.kind === "yes_no") pick({ value: chosen === "true" });
    else if (item.kind === "scale") pick({ value: Number(chosen) });
    else pick({ value: chosen });
  });
  return [group, item.kind === "scale" && h("p", { id: `scale-${item.id}`, class: "muted" },
    t("%(min)s is the worst, %(max)s the best.", { min: number(item.min), max: number(item.max) }))];
}

const previews = new Map(); // photo id -> object URL, revoked when the screen changes

function preview(photoId, photo, item) {
  if (!photo) return null;
  if (!previews.has(photoId)) previews.set(photoId, URL.createObjectURL(photo.blob));
  return h("img", {
    class: "preview", src: previews.get(photoId), alt: t("Photo for: %(item)s", { item: item.text }),
    "data-width": photo.width, "data-height": photo.height,
  });
}

async function itemField(visit, item, draft, changed) {
  const answer = draft.answers[item.id];
  const photoId = draft.photos[item.id];
  const photo = photoId && !photoId.startsWith("sent:") ? await db.get("photos", photoId) : null;
  const comment = h("textarea", { id: `comment-${item.id}`, rows: "3", maxlength: "2000" }, answer?.comment || "");
  const commentLabel = h("label", { for: `comment-${item.id}` });
  const camera = h("input", { type: "file", id: `photo-${item.id}`, accept: "image/*", capture: "environment", class: "visually-hidden" });
  const cameraLabel = h("label", { for: `photo-${item.id}`, class: "button secondary" });
  const photoState = h("p", { class: "muted", role: "status" });
  const pictured = h("div", { class: "pictured" });
  const evidence = h("div", { class: "evidence" }, commentLabel, comment);
  if (item.evidence === "photo") evidence.append(h("div", { class: "photo" }, pictured, camera, cameraLabel, photoState));
  const lacks = h("p", { class: "lacks", id: `lacks-${item.id}` });
  const field = h("fieldset", { class: "item", id: `item-${item.id}`, "data-item": item.id },
    h("legend", { id: `text-${item.id}` }, item.text, item.critical && [" ", h("span", { class: "badge" }, t("critical"))]),
    item.guidance && h("details", { class: "guidance" }, h("summary", {}, t("Guidance")), h("p", {}, item.guidance)),
    controls(item, answer, async (picked) => {
      const saved = await drafts.update(visit.id, (d) => {
        d.answers[item.id] = { ...picked, comment: d.answers[item.id]?.comment || "" };
      });
      refresh(saved);
      changed(saved);
    }),
    evidence, lacks);

  let current = draft;
  function refresh(d) {
    current = d;
    const failing = drafts.fails(item, d.answers[item.id]);
    const has = d.photos[item.id];
    evidence.hidden = !failing;
    commentLabel.textContent = item.evidence === "comment" ? t("Comment (needed): what was not met?") : t("Comment (optional)");
    cameraLabel.textContent = has ? t("Retake the photo") : t("Take a photo");
    if (has?.startsWith("sent:")) photoState.textContent = t("The photo sent earlier is on the server.");
    const missing = drafts.lacking(item, d);
    lacks.textContent = missing && missing !== "answer" ? lackWords(missing) : "";
    field.classList.toggle("fails", failing);
  }
  refresh(draft);
  if (photo) pictured.append(preview(photoId, photo, item));

  comment.addEventListener("input", async () => {
    const saved = await drafts.update(visit.id, (d) => {
      d.answers[item.id] = { ...(d.answers[item.id] || { value: null }), comment: comment.value };
    });
    refresh(saved);
    changed(saved);
  });
  camera.addEventListener("change", async () => {
    const file = camera.files[0];
    if (!file) return;
    photoState.textContent = t("Preparing the photo…");
    let made;
    try {
      made = await downscale(file);
    } catch {
      photoState.textContent = t("This file is not a photo the phone can read. Take the photo again.");
      return;
    }
    const id = crypto.randomUUID();
    const old = current.photos[item.id];
    await db.put("photos", id, { ...made, visit: visit.id, item: item.id, user: current.user, uploaded: false });
    const saved = await drafts.update(visit.id, (d) => { d.photos[item.id] = id; });
    if (old && !old.startsWith("sent:")) await db.remove("photos", old); // a retake replaces the photo
    camera.value = "";
    photoState.textContent = t("Photo saved on the phone.");
    pictured.replaceChildren(preview(id, { ...made }, item));
    refresh(saved);
    changed(saved);
  });
  return field;
}

function stageLinks(visit, checklist, index) {
  const last = checklist.stages.length - 1;
  return h("nav", { class: "pager", "aria-label": t("Stages") },
    index > 0 && h("a", { class: "button secondary", href: `#/visit/${encodeURIComponent(visit.id)}/stage/${index}` }, t("Previous stage")),
    index < last
      ? h("a", { class: "button", href: `#/visit/${encodeURIComponent(visit.id)}/stage/${index + 2}` }, t("Next stage"))
      : h("a", { class: "button", href: `#/visit/${encodeURIComponent(visit.id)}/finish` }, t("Check and send")));
}

/** #/visit/ID/stage/N (N from 1). */
export async function stageScreen(main, id, position) {
  for (const url of previews.values()) URL.revokeObjectURL(url);
  previews.clear();
  const found = await context(id);
  if (!found) return notHere(main);
  const { visit, store, checklist, draft } = found;
  const index = Number(position) - 1;
  const stage = checklist?.stages[index];
  if (!draft || !stage) {
    location.replace(`#/visit/${encodeURIComponent(id)}`);
    return undefined;
  }
  const bar = h("progress", { max: String(stage.items.length), value: "0", "aria-labelledby": "stage-progress" });
  const line = h("p", { id: "stage-progress", class: "muted" });
  const changed = (d) => {
    const now = drafts.progress(stage, d);
    bar.value = now.done;
    line.textContent = progressLine(now);
  };
  changed(draft);
  const items = [];
  for (const item of stage.items) items.push(await itemField(visit, item, draft, changed));
  show(main,
    h("p", {}, h("a", { href: `#/visit/${encodeURIComponent(id)}` }, store?.name || visit.store_id)),
    h("p", { class: "muted" }, t("Stage %(number)s of %(count)s", { number: number(index + 1), count: number(checklist.stages.length) })),
    h("h1", {}, stage.title),
    bar, line,
    stage.expected_result && h("p", { class: "expected" }, h("span", { class: "label" }, t("Expected result")), " ", stage.expected_result),
    h("form", { class: "answers", novalidate: true, onsubmit: (event) => event.preventDefault() }, items),
    stageLinks(visit, checklist, index),
  );
  return undefined;
}

function locate(draftVisit, say) {
  if (!navigator.geolocation) {
    say(t("This phone cannot give its position."));
    return;
  }
  say(t("Finding your position…"));
  navigator.geolocation.getCurrentPosition(async (position) => {
    const gps = { lat: position.coords.latitude, lon: position.coords.longitude, accuracy_m: Math.round(position.coords.accuracy) };
    await drafts.update(draftVisit, (d) => { d.gps = gps; });
    say(positionWords(gps));
  }, () => say(t("The position was not recorded (no permission or no signal).")), { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
}

function positionWords(gps) {
  return gps ? t("Position recorded (within %(metres)s m).", { metres: number(gps.accuracy_m ?? 0) }) : t("No position recorded.");
}

/** Start filling in a visit: a new draft (a returned visit's: what was sent, to correct), the API told,
 *  the position asked for once (the browser asks the auditor's permission). */
export async function begin(visit, user) {
  let draft = drafts.blank(visit, user);
  if (visit.state === "returned") {
    const [latest, evidence] = await Promise.all([api.latestAudit(visit.id), api.evidence(visit.id)]);
    draft = drafts.correction(visit, user, latest, evidence);
  }
  await drafts.create(draft);
  api.start(visit.id).catch(() => undefined); // "in progress" for the managers, when there is a network
  if (!draft.gps) locate(visit.id, () => undefined);
  location.hash = `#/visit/${encodeURIComponent(visit.id)}/stage/1`;
}

/** #/visit/ID/finish: what is left to do, the visit's times and position, then send. */
export async function finishScreen(main, id) {
  const found = await context(id);
  if (!found) return notHere(main);
  const { visit, store, checklist, draft } = found;
  if (!draft || !checklist) {
    location.replace(`#/visit/${encodeURIComponent(id)}`);
    return undefined;
  }
  const zone = store?.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone;
  const left = draft.finished_at || new Date().toISOString();
  const arrived = h("input", { type: "datetime-local", id: "arrived", value: toLocalInput(draft.started_at, zone), required: true });
  const leaving = h("input", { type: "datetime-local", id: "left", value: toLocalInput(left, zone), required: true });
  const staff = h("input", { type: "text", id: "staff", maxlength: "200", value: draft.staff_observed, autocomplete: "off" });
  const note = h("textarea", { id: "note", rows: "4", maxlength: "4000" }, draft.comment);
  const where = h("p", { role: "status" }, positionWords(draft.gps));
  const problem = h("div", { class: "problem", role: "alert", tabindex: "-1", id: "send-problem" });
  const keep = (change) => drafts.update(id, change);
  // The phone draws the fields in its own language; beside each, the time as the reader's language writes it.
  const arrivedWords = h("output", { for: "arrived", class: "muted" }, clock(draft.started_at, zone));
  const leftWords = h("output", { for: "left", class: "muted" }, clock(left, zone));
  arrived.addEventListener("change", () => keep((d) => {
    d.started_at = fromLocalInput(arrived.value, zone) || d.started_at;
    arrivedWords.textContent = clock(d.started_at, zone);
  }));
  leaving.addEventListener("change", () => keep((d) => {
    d.finished_at = fromLocalInput(leaving.value, zone);
    leftWords.textContent = d.finished_at ? clock(d.finished_at, zone) : "";
  }));
  staff.addEventListener("input", () => keep((d) => { d.staff_observed = staff.value; }));
  note.addEventListener("input", () => keep((d) => { d.comment = note.value; }));

  const todo = drafts.todo(checklist, draft);
  const stageList = h("ol", { class: "stages" }, checklist.stages.map((stage, index) => h("li", {},
    h("a", { href: `#/visit/${encodeURIComponent(id)}/stage/${index + 1}` }, stage.title), " ",
    h("span", { class: "muted" }, progressLine(drafts.progress(stage, draft))))));
  const missing = todo.length > 0 && h("section", { "aria-labelledby": "todo" },
    h("h2", { id: "todo" }, t("Still to do")),
    h("ul", { class: "todo" }, todo.map(({ index, item, lacks }) => h("li", {},
      h("a", { href: `#/visit/${encodeURIComponent(id)}/stage/${index + 1}` }, item.text), " ", h("span", { class: "muted" }, lackWords(lacks))))));

  async function send() {
    const current = await drafts.load(id);
    const left = current.finished_at || new Date().toISOString(); // not changed by hand: now, to the second
    if (drafts.todo(checklist, current).length) {
      problem.textContent = t("Some items are not finished yet: see “Still to do”.");
      problem.focus();
      return;
    }
    if (Date.parse(left) < Date.parse(current.started_at)) {
      problem.textContent = t("The visit cannot end before it started: check the times.");
      problem.focus();
      return;
    }
    const finished = { ...current, finished_at: left };
    await outbox.queue(finished, drafts.submission(visit, checklist, finished));
    outbox.send({ now: true });
    location.hash = `#/visit/${encodeURIComponent(id)}`;
  }

  show(main,
    h("p", {}, h("a", { href: `#/visit/${encodeURIComponent(id)}` }, store?.name || visit.store_id)),
    h("h1", {}, t("Check and send")),
    h("h2", {}, t("Stages")), stageList,
    missing,
    h("h2", {}, t("The visit")),
    h("p", { class: "muted" }, t("Times on the store's clock (%(timezone)s).", { timezone: zoneName(zone) })),
    h("div", { class: "field" }, h("label", { for: "arrived" }, t("time|Arrived")), arrived, arrivedWords),
    h("div", { class: "field" }, h("label", { for: "left" }, t("time|Left")), leaving, leftWords),
    where,
    h("p", {}, h("button", { type: "button", class: "secondary", onclick: () => locate(id, (words) => { where.textContent = words; }) }, t("Record my position"))),
    h("div", { class: "field" }, h("label", { for: "staff" }, t("Staff you dealt with (name or badge, optional)")), staff),
    h("div", { class: "field" }, h("label", { for: "note" }, t("Anything else the reviewer should know (optional)")), note),
    problem,
    h("p", {}, h("button", { type: "button", id: "send", onclick: send }, t("Send the audit"))),
    h("p", { class: "muted" }, t("The audit is kept on this phone and sent as soon as there is a network.")),
  );
  return undefined;
}
