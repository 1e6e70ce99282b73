// The outbox: finished audits wait here ("outbox", by their client UUID) until the API has them.
//
// An entry: {id (the UUID), visit, user, body (the audit as the API takes it), photos ([photo id]),
// state: "waiting" | "sent" | "refused", tries, retry_at (ISO), queued_at, sent_at, result (the API's
// answer), problem ({status, detail, errors}) }.
//
// Sending an entry: every photo not yet uploaded (POST evidence: the server keeps a file once per visit
// and item), then the audit (PUT under the UUID: a retry answers the stored result, never a second audit).
// No network or a server error: try again later, after 5 s, 10 s, 20 s ... at most 5 minutes apart (with a
// little jitter), and at once when the network returns or the auditor asks. A refusal (409, 422, 404) is
// kept with the API's words and waits for the auditor. One sender at a time, across tabs (Web Locks).
// Each change is announced with an "outbox" event on window.

import * as api from "./api.js";
import * as db from "./db.js";

const FIRST_WAIT_S = 5;
const LONGEST_WAIT_S = 300;

function announce() {
  window.dispatchEvent(new Event("outbox"));
}

/** Put a finished draft in the outbox and forget the draft, in one transaction. */
export async function queue(draft, body) {
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  const photos = Object.values(draft.photos).filter((photo) => !photo.startsWith("sent:"));
  const sentPhotos = Object.fromEntries(Object.entries(draft.photos).filter(([, photo]) => photo.startsWith("sent:")));
  await db.together([
    ["outbox", id, {
      id, visit: draft.visit, user: draft.user, body, photos, sent_photos: sentPhotos, corrects: draft.corrects,
      state: "waiting", tries: 0, retry_at: now, queued_at: now,
    }],
    ["drafts", draft.visit, undefined],
  ]);
  announce();
  return id;
}

/** The signed-in auditor's entries, newest first. */
export async function entries(user) {
  return (await db.all("outbox")).filter((entry) => entry.user === user).sort((a, b) => b.queued_at.localeCompare(a.queued_at));
}

/** The latest entry for a visit, or undefined. */
export async function forVisit(user, visitId) {
  return (await entries(user)).find((entry) => entry.visit === visitId);
}

function wait(tries) {
  const seconds = Math.min(LONGEST_WAIT_S, FIRST_WAIT_S * 2 ** Math.max(0, tries - 1));
  return seconds * (0.8 + Math.random() * 0.4) * 1000;
}

async function sendOne(entry) {
  for (const photoId of entry.photos) {
    const photo = await db.get("photos", photoId);
    if (!photo || photo.uploaded) continue;
    await api.uploadPhoto(entry.visit, photo.item, photo.blob);
    await db.put("photos", photoId, { ...photo, uploaded: true });
  }
  return api.submit(entry.id, entry.body);
}

let timer = null;

/** Send whatever waits and is due (`now`: also what is not due yet). Resolves when this round is done. */
export async function send({ now = false } = {}) {
  const session = await api.session();
  if (!session) return;
  const round = async () => {
    clearTimeout(timer);
    let next = null;
    for (const entry of await entries(session.user)) {
      if (entry.state !== "waiting") continue;
      if (!now && Date.parse(entry.retry_at) > Date.now()) {
        next = Math.min(next ?? Infinity, Date.parse(entry.retry_at));
        continue;
      }
      const current = await db.get("outbox", entry.id);
      if (current?.state !== "waiting") continue; // another tab sent it meanwhile
      try {
        const result = await sendOne(current);
        const sentAt = new Date().toISOString();
        const visit = await db.get("visits", current.visit); // the list on the phone says so before it is fetched again
        await db.together([
          ["outbox", entry.id, { ...current, state: "sent", sent_at: sentAt, result, problem: null }],
          ...current.photos.map((photoId) => ["photos", photoId, undefined]),
          ...(visit ? [["visits", visit.id, { ...visit, state: "submitted", updated_at: sentAt }]] : []),
        ]);
      } catch (error) {
        if (error instanceof api.SignedOut) throw error;
        const retry = error instanceof api.Offline || error.status === 429 || error.status >= 500;
        if (!(retry || error instanceof api.Refused)) throw error;
        const tries = current.tries + 1;
        const problem = error instanceof api.Refused ? { status: error.status, detail: error.problem.detail || "", errors: error.problem.errors || [] } : null;
        const retry_at = new Date(Date.now() + wait(tries)).toISOString();
        await db.put("outbox", entry.id, { ...current, tries, retry_at, problem, state: retry ? "waiting" : "refused" });
        if (retry) next = Math.min(next ?? Infinity, Date.parse(retry_at));
      }
      announce();
    }
    if (next !== null) timer = setTimeout(() => send(), Math.max(0, next - Date.now()));
  };
  if (navigator.locks) await navigator.locks.request("audit-app-outbox", round);
  else await round();
}

/** A refused audit back to a draft, to be corrected and finished again (its photos come along). */
export async function reopen(id) {
  const entry = await db.get("outbox", id);
  const photos = {};
  for (const photoId of entry.photos) {
    const photo = await db.get("photos", photoId);
    if (photo) photos[photo.item] = photoId;
  }
  const draft = {
    visit: entry.visit, user: entry.user, started_at: entry.body.started_at, finished_at: entry.body.finished_at,
    gps: entry.body.gps ?? null, staff_observed: entry.body.staff_observed, comment: entry.body.comment, corrects: entry.corrects ?? null,
    answers: Object.fromEntries(entry.body.answers.map((answer) => [answer.item, answer.na
      ? { na: true, comment: answer.comment } : { value: answer.value, comment: answer.comment }])),
    photos: { ...entry.sent_photos, ...photos },
  };
  await db.together([["drafts", entry.visit, draft], ["outbox", id, undefined]]);
  announce();
}

/** Drop a refused audit (the visit was taken back or already has its audit): its photos go with it. */
export async function discard(id) {
  const entry = await db.get("outbox", id);
  await db.together([["outbox", id, undefined], ...entry.photos.map((photoId) => ["photos", photoId, undefined])]);
  announce();
}

/** Send at start and whenever the network returns. */
export function keepSending() {
  window.addEventListener("online", () => send({ now: true }));
  send({ now: true });
}
