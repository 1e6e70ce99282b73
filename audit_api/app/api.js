// The one API module: every call to the audit API, with the device token as `Authorization: Bearer`,
// and the reads that go to the network first and fall back to what db.js kept when there is none.
//
// Errors, one class each: Offline (no answer at all), SignedOut (401: the token is revoked, expired or
// its user disabled; what came from the API is forgotten, the auditor's own work is kept), Refused (any other error, with the API's problem
// details). API calls bypass the service worker and the HTTP cache: IndexedDB is the offline copy.

import * as db from "./db.js";

export class Offline extends Error {}

export class Refused extends Error {
  constructor(status, problem) {
    super(problem.detail || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export class SignedOut extends Refused {}

export const session = () => db.get("kv", "session");

async function call(path, { method = "GET", body, form, etag, token, accept = "application/json" } = {}) {
  const headers = { Accept: accept };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (etag) headers["If-None-Match"] = etag;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method, headers, body: form ?? (body === undefined ? undefined : JSON.stringify(body)),
      cache: "no-store", credentials: "omit", redirect: "error",
    });
  } catch {
    throw new Offline();
  }
  if (response.ok || response.status === 304) return response;
  const problem = await response.json().catch(() => ({}));
  if (response.status === 401 && token) {
    await db.forget({ keepWork: true });
    throw new SignedOut(401, problem);
  }
  throw new Refused(response.status, problem);
}

async function signedIn(path, options = {}) {
  const current = await session();
  if (!current) throw new SignedOut(401, {});
  return call(path, { ...options, token: current.token });
}

/** Trade a one-time enrolment code for a device token, and keep it. */
export async function enrol(code, device) {
  const issued = await (await call("/api/v1/devices", { method: "POST", body: { code, device } })).json();
  await db.put("kv", "session", { token: issued.token, tokenId: issued.token_id, user: issued.user, role: issued.role });
}

/** Revoke this phone's token at the API, then forget everything. Offline: throws Offline, and keeps all. */
export async function signOut() {
  const current = await session();
  if (current) {
    try {
      await call(`/api/v1/tokens/${encodeURIComponent(current.tokenId)}`, { method: "DELETE", token: current.token });
    } catch (error) {
      if (!(error instanceof SignedOut)) throw error; // already revoked: nothing left to switch off
    }
  }
  await db.forget();
}

/** Who is signed in: {value, offline}. */
export async function me() {
  try {
    const value = await (await signedIn("/api/v1/me")).json();
    await db.put("kv", "me", value);
    return { value, offline: false };
  } catch (error) {
    if (!(error instanceof Offline)) throw error;
    return { value: await db.get("kv", "me"), offline: true };
  }
}

/** Every row of a signed-in list, page after page: each answer's `Link: <...>; rel="next"` (RFC 8288) names
 *  the next, and the last page has none. Only a page of this origin is followed, so the token goes nowhere else. */
async function everyPage(path) {
  const rows = [];
  for (let next = path; next; ) {
    const response = await signedIn(next);
    rows.push(...(await response.json()));
    next = nextPage(response);
  }
  return rows;
}

function nextPage(response) {
  for (const link of (response.headers.get("Link") || "").split(",")) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(link);
    if (!match || !/;\s*rel="?next"?\s*(;|$)/i.test(match[2])) continue;
    const url = new URL(match[1], response.url);
    if (url.origin === new URL(response.url).origin) return url.pathname + url.search;
  }
  return null;
}

/** The auditor's visits: {visits, updated (ISO time of the list), offline}. */
export async function visits() {
  try {
    const list = await everyPage("/api/v1/visits");
    const updated = new Date().toISOString();
    await db.replace("visits", list.map((visit) => [visit.id, visit]));
    await db.put("kv", "visits-updated", updated);
    return { visits: list, updated, offline: false };
  } catch (error) {
    if (!(error instanceof Offline)) throw error;
    return { visits: await db.all("visits"), updated: await db.get("kv", "visits-updated"), offline: true };
  }
}

/** One visit as the last list had it (the list is what the phone keeps). */
export const visit = (id) => db.get("visits", id);

const askedThisTime = new Set(); // the public store endpoint is rate limited: once a store and language per start

/** A store in `lang` (public, no token), or what the phone kept, or undefined. */
export async function store(id, lang) {
  const key = `${id}/${lang}`;
  if (askedThisTime.has(key)) return db.get("stores", key);
  try {
    const answer = await (await call(`/api/v1/stores/${encodeURIComponent(id)}?lang=${encodeURIComponent(lang)}`)).json();
    await db.put("stores", key, answer.store);
    askedThisTime.add(key);
    return answer.store;
  } catch (error) {
    if (!(error instanceof Offline || error instanceof Refused)) throw error;
    return db.get("stores", key);
  }
}

/** The exact checklist version a visit uses, in `lang`: downloaded once, then revalidated (If-None-Match,
 *  304) on each call; {checklist (null if never downloaded), offline}. Visits on one version share a copy. */
export async function checklist(visit, lang) {
  const key = `${visit.checklist_id}@${visit.checklist_version}/${lang}`;
  const kept = await db.get("checklists", key);
  try {
    const path = `/api/v1/visits/${encodeURIComponent(visit.id)}/checklist?lang=${encodeURIComponent(lang)}`;
    const response = await signedIn(path, { etag: kept?.etag });
    if (response.status === 304) return { checklist: kept.checklist, offline: false };
    const fresh = await response.json();
    await db.put("checklists", key, { etag: response.headers.get("ETag"), checklist: fresh, saved: new Date().toISOString() });
    return { checklist: fresh, offline: false };
  } catch (error) {
    if (!(error instanceof Offline)) throw error;
    return { checklist: kept?.checklist ?? null, offline: true };
  }
}

/** A checklist as the phone kept it, without asking the network. */
export async function keptChecklist(visit, lang) {
  return (await db.get("checklists", `${visit.checklist_id}@${visit.checklist_version}/${lang}`))?.checklist ?? null;
}

const visitPath = (id, rest = "") => `/api/v1/visits/${encodeURIComponent(id)}${rest}`;

/** Tell the API the auditor has started the visit (once; again changes nothing). */
export async function start(id) {
  await signedIn(visitPath(id, "/start"), { method: "POST" });
}

/** Upload a photo of an item (multipart). The API keeps a file once per visit and item: a retry is harmless. */
export async function uploadPhoto(visitId, item, blob) {
  const form = new FormData();
  form.append("item", item);
  form.append("file", blob, `${item}.jpg`);
  return (await signedIn(visitPath(visitId, "/evidence"), { method: "POST", form })).json();
}

/** Submit a whole audit under its client UUID (idempotent: a retry answers the stored result). */
export async function submit(auditId, body) {
  return (await signedIn(`/api/v1/audits/${encodeURIComponent(auditId)}`, { method: "PUT", body })).json();
}

/** A signed-in read kept in "kv" under `key`: from the network, else (offline) the kept copy, else `none`. */
async function kept(path, key, none) {
  try {
    const value = await (await signedIn(path)).json();
    await db.put("kv", key, value);
    return value;
  } catch (error) {
    if (!(error instanceof Offline)) throw error;
    return (await db.get("kv", key)) ?? none;
  }
}

/** The latest audit of a visit as it was submitted, with its result (null if none). */
export async function latestAudit(id) {
  try {
    return await kept(visitPath(id, "/audit"), `audit/${id}`, null);
  } catch (error) {
    if (error instanceof Refused && !(error instanceof SignedOut) && error.status === 404) return null;
    throw error;
  }
}

/** The photos and documents the server has for a visit (its records). */
export const evidence = (id) => kept(visitPath(id, "/evidence"), `evidence/${id}`, []);

/** A visit's events, with the reviewers' comments (null if never fetched). */
export const history = (id) => kept(visitPath(id, "/history"), `history/${id}`, null);

// --- The managers' workspace: read from the network only (a decision must rest on what the server has now) ---

/** Every visit in `state` the reader may see, page after page. */
export const visitsIn = (state) => everyPage(`/api/v1/visits?state=${encodeURIComponent(state)}`);

/** A visit with its latest score, flags and whether every photo it needs has arrived. */
export const visitDetail = async (id) => (await signedIn(visitPath(id))).json();

/** A visit's latest audit as submitted, with its result (null before the first). */
export async function auditOf(id) {
  try {
    return await (await signedIn(visitPath(id, "/audit"))).json();
  } catch (error) {
    if (error instanceof Refused && !(error instanceof SignedOut) && error.status === 404) return null;
    throw error;
  }
}

/** The records of a visit's photos and documents. */
export const evidenceOf = async (id) => (await signedIn(visitPath(id, "/evidence"))).json();

/** One evidence file as a Blob: images need the token, so they are fetched, never linked. */
export async function evidenceFile(id, sha256) {
  return (await signedIn(visitPath(id, `/evidence/${encodeURIComponent(sha256)}`), { accept: "*/*" })).blob();
}

/** Approve, reject or return a submitted visit, with a comment (needed to reject or return). */
export async function review(id, decision, comment) {
  return (await signedIn(visitPath(id, "/review"), { method: "POST", body: { decision, comment } })).json();
}

/** The printable report as an HTML Blob in `lang` (it needs the token, which stays out of every URL). */
export async function report(id, lang) {
  const response = await signedIn(visitPath(id, `/report?lang=${encodeURIComponent(lang)}`), { accept: "text/html" });
  return new Blob([await response.text()], { type: "text/html;charset=utf-8" });
}

const complaintPath = (ticket, rest = "") => `/api/v1/complaints/${encodeURIComponent(ticket)}${rest}`;

/** The complaint queue (open ones; `all`: resolved and closed too), page after page. */
export const complaints = (all = false) => everyPage(`/api/v1/complaints${all ? "?all=true" : ""}`);

/** One complaint with its history: {complaint, events}. */
export const complaint = async (ticket) => (await signedIn(complaintPath(ticket))).json();

/** Move a complaint (`fields`: note; to resolve, resolution, root_cause and reply): {complaint, events}. */
export async function moveComplaint(ticket, to, fields) {
  return (await signedIn(complaintPath(ticket, "/transitions"), { method: "POST", body: { to, ...fields } })).json();
}

/** Correct the reply of a resolved complaint: {complaint, events}. */
export async function correctReply(ticket, reply, note) {
  return (await signedIn(complaintPath(ticket, "/reply"), { method: "PUT", body: { reply, note } })).json();
}

// --- Planning and corrective actions (plan.js, actions.js) ---

/** The auditors a planner may send, each with the stores they are excluded from (403 for one who does not plan). */
export const auditors = () => everyPage("/api/v1/auditors");

/** The checklists a planner may plan visits with, titled in `lang`. */
export const checklists = async (lang) => (await signedIn(`/api/v1/checklists?lang=${encodeURIComponent(lang)}`)).json();

/** Plan a wave (every store of `wave.store_ids` x a checklist x a window, spread over `wave.auditors`): the visits made. */
export const planWave = async (wave) => (await signedIn("/api/v1/visit-waves", { method: "POST", body: wave })).json();

/** Import visits from a CSV file (a Blob or File, sent as it is): the visits made. */
export async function importVisits(file) {
  const csv = new Blob([await file.arrayBuffer()], { type: "text/csv" });
  return (await signedIn("/api/v1/visit-imports", { method: "POST", form: csv })).json();
}

/** Cancel an upcoming visit, saying why. */
export const cancelVisit = async (id, reason) => (await signedIn(visitPath(id, "/cancel"), { method: "POST", body: { reason } })).json();

/** Give a visit not yet started to another auditor (by login). */
export const reassignVisit = async (id, auditor) => (await signedIn(visitPath(id, "/reassign"), { method: "POST", body: { auditor } })).json();

const actionPath = (id, rest = "") => `/api/v1/actions/${encodeURIComponent(id)}${rest}`;

/** Every corrective action the reader may see for a query of the API's filters ("state=open&store=X"), page after page. */
export const actions = (query) => everyPage(`/api/v1/actions${query ? `?${query}` : ""}`);

/** One action with the photos uploaded for it: {action, photos}. */
export const action = async (id) => (await signedIn(actionPath(id))).json();

/** Upload a photo of what was done (multipart): its record, with its sha256. */
export async function uploadActionPhoto(id, blob) {
  const form = new FormData();
  form.append("file", blob, "done.jpg");
  return (await signedIn(actionPath(id, "/photo"), { method: "POST", form })).json();
}

/** Close an action with a note and, optionally, a photo uploaded for it (its sha256): {action, photos}. */
export const closeAction = async (id, note, photo) => (await signedIn(actionPath(id, "/close"), { method: "POST", body: { note, photo } })).json();

/** One photo of an action as a Blob (it needs the token, so it is fetched, never linked). */
export async function actionPhoto(id, sha256) {
  return (await signedIn(actionPath(id, `/photo/${encodeURIComponent(sha256)}`), { accept: "*/*" })).blob();
}

// --- The dashboard and exports (dashboard.js, export.js) ---

/** Every store of the chain in `lang` (public, no token): the pickers offer those the reader covers. */
export async function stores(lang) {
  return (await (await call(`/api/v1/stores?lang=${encodeURIComponent(lang)}`)).json()).stores;
}

/** The dashboard's figures for a query of the API's filters ("from=...&to=...&store=..."). */
export const dashboard = async (query) => (await signedIn(`/api/v1/dashboard?${query}`)).json();

/** One page of visits in `state` (the earliest window first): enough to find a visit of each checklist, whose
 *  checklist names its stages and items (the API has no other way to read a checklist's words). */
/** A published checklist in `lang` (its stages' and items' texts), for the managers' screens that name them. */
export const publishedChecklist = async (id, lang) =>
  (await signedIn(`/api/v1/checklists/${encodeURIComponent(id)}?lang=${encodeURIComponent(lang)}`)).json();

/** An export as the server streams it: the Response, whose body the caller reads as it arrives. */
export const exportOf = (kind, query) => signedIn(`/api/v1/exports/${encodeURIComponent(kind)}?${query}`, { accept: "*/*" });
