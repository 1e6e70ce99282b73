// The audit being filled in: kept in IndexedDB ("drafts", by visit id) and saved on every change, so
// closing the tab or losing power loses nothing. Also what an answer needs beside itself, read from the
// checklist's own hints (the server's item kinds say what fails: book/items.py), and the whole audit
// as the API takes it.
//
// A draft: {visit, user, started_at, finished_at (ISO, null until the auditor says), gps ({lat, lon,
// accuracy_m} or null), answers: {item: {value, na, comment}}, photos: {item: a photo id in "photos", or
// "sent:<sha256>" for one the server already has}, staff_observed, comment, corrects (the revision a
// returned visit's correction follows, or null)}.

import * as db from "./db.js";

/** Whether an answer fails its item's standard (then its comment or photo is asked for). */
export function fails(item, answer) {
  if (!answer || answer.na || answer.value === null || answer.value === undefined) return false;
  switch (item.kind) {
    case "yes_no": return answer.value === false;
    case "scale": return answer.value < item.pass_from;
    case "number": return item.rule === "at_most" ? answer.value > item.target : answer.value < item.target;
    case "choice": return Boolean(item.choices.find((choice) => choice.id === answer.value)?.fails);
    default: return false;
  }
}

/** What the item still lacks: "answer", "comment", "photo", or null when it is done. */
export function lacking(item, draft) {
  const answer = draft.answers[item.id];
  if (!answer || (!answer.na && (answer.value === null || answer.value === undefined))) return "answer";
  if (fails(item, answer) && item.evidence === "comment" && !answer.comment?.trim()) return "comment";
  if (fails(item, answer) && item.evidence === "photo" && !draft.photos[item.id]) return "photo";
  return null;
}

/** How far a stage is: {done, total}. */
export function progress(stage, draft) {
  return { done: stage.items.filter((item) => lacking(item, draft) === null).length, total: stage.items.length };
}

/** Every item still to do, in the checklist's order: [{stage, index (of the stage), item, lacks}]. */
export function todo(checklist, draft) {
  return checklist.stages.flatMap((stage, index) => stage.items
    .map((item) => ({ stage, index, item, lacks: lacking(item, draft) }))
    .filter((entry) => entry.lacks !== null));
}

/** The audit as `PUT /api/v1/audits/{uuid}` takes it. */
export function submission(visit, checklist, draft) {
  const answers = checklist.stages.flatMap((stage) => stage.items.map((item) => {
    const answer = draft.answers[item.id];
    const comment = answer.comment?.trim() || "";
    return answer.na ? { item: item.id, na: true, comment } : { item: item.id, value: answer.value, comment };
  }));
  const body = {
    visit_id: visit.id, started_at: draft.started_at, finished_at: draft.finished_at, answers,
    staff_observed: draft.staff_observed.trim(), comment: draft.comment.trim(),
  };
  if (draft.gps) body.gps = draft.gps;
  return body;
}

export function blank(visit, user, now = new Date()) {
  return {
    visit: visit.id, user, started_at: now.toISOString(), finished_at: null, gps: null, answers: {}, photos: {},
    staff_observed: "", comment: "", corrects: null,
  };
}

/** A returned visit's draft: what was sent last (`latest`: the API's {audit, result}) with the photos the
 *  server has (`evidence`: its records), ready to correct. */
export function correction(visit, user, latest, evidence, now = new Date()) {
  const draft = blank(visit, user, now);
  if (!latest) return draft;
  const { audit, result } = latest;
  for (const answer of audit.answers) {
    draft.answers[answer.item] = answer.na ? { na: true, comment: answer.comment } : { value: answer.value, comment: answer.comment };
  }
  for (const record of evidence) if (record.item_id) draft.photos[record.item_id] = `sent:${record.sha256}`;
  return { ...draft, started_at: audit.started_at, finished_at: audit.finished_at, gps: audit.gps ?? null,
    staff_observed: audit.staff_observed, comment: audit.comment, corrects: result.revision };
}

export const load = (visitId) => db.get("drafts", visitId);

let saving = Promise.resolve();

/** Change the visit's draft with `change(draft)` and save it; changes are applied one after another. */
export function update(visitId, change) {
  const next = saving.then(async () => {
    const draft = await db.get("drafts", visitId);
    if (!draft) return null;
    change(draft);
    await db.put("drafts", visitId, draft);
    return draft;
  });
  saving = next.catch(() => undefined);
  return next;
}

/** Keep a new draft (after the changes already asked for). */
export function create(draft) {
  const next = saving.then(() => db.put("drafts", draft.visit, draft));
  saving = next.catch(() => undefined);
  return next;
}
