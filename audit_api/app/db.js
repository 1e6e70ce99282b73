// The one IndexedDB module: what the phone keeps, so the app opens with no network.
//
//   kv          "session": the device token (only here: never in a URL, localStorage or a log),
//               "me": who is signed in, "visits-updated": when the list last came from the API
//   visits      the signed-in auditor's visits, by id, as the API last listed them
//   checklists  {etag, checklist, saved}, by "<checklist id>@<version>/<language>"
//   stores      a store as the public API answers it, by "<store id>/<language>"
//   drafts      the audit being filled in, by visit id (draft.js): saved on every change
//   photos      {blob, visit, item, user, width, height, uploaded}, by a client id: downscaled, kept until sent
//   outbox      finished audits, by their client UUID (outbox.js): waiting, sent (with the API's result), refused
//
// Keys are given with each value (no key paths). A new store is one more name in STORES and VERSION + 1:
// opening the database then adds it and keeps everything else. What the auditor made on this phone
// (drafts, photos, the outbox) is kept when the token stops working, and sent once they sign in again.

const NAME = "audit-app";
const VERSION = 2;
const STORES = ["kv", "visits", "checklists", "stores", "drafts", "photos", "outbox"];
export const WORK = ["drafts", "photos", "outbox"];

let opening = null;

function open() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = () => {
      for (const name of STORES) {
        if (!request.result.objectStoreNames.contains(name)) request.result.createObjectStore(name);
      }
    };
    request.onsuccess = () => {
      request.result.onversionchange = () => request.result.close(); // a newer release is upgrading it
      resolve(request.result);
    };
    request.onerror = () => reject(request.error);
  });
  return opening;
}

function answer(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function committed(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = transaction.onabort = () => reject(transaction.error);
  });
}

export async function get(store, key) {
  const db = await open();
  return answer(db.transaction(store).objectStore(store).get(key));
}

export async function all(store) {
  const db = await open();
  return answer(db.transaction(store).objectStore(store).getAll());
}

export async function put(store, key, value) {
  const db = await open();
  const transaction = db.transaction(store, "readwrite");
  transaction.objectStore(store).put(value, key);
  return committed(transaction);
}

/** Every entry of `store` replaced by `entries` ([key, value] pairs), in one transaction. */
export async function replace(store, entries) {
  const db = await open();
  const transaction = db.transaction(store, "readwrite");
  const target = transaction.objectStore(store);
  target.clear();
  for (const [key, value] of entries) target.put(value, key);
  return committed(transaction);
}

export async function remove(store, key) {
  const db = await open();
  const transaction = db.transaction(store, "readwrite");
  transaction.objectStore(store).delete(key);
  return committed(transaction);
}

/** Several writes in one transaction: `writes` is a list of [store, key, value] (value undefined deletes). */
export async function together(writes) {
  const db = await open();
  const transaction = db.transaction([...new Set(writes.map(([store]) => store))], "readwrite");
  for (const [store, key, value] of writes) {
    if (value === undefined) transaction.objectStore(store).delete(key);
    else transaction.objectStore(store).put(value, key);
  }
  return committed(transaction);
}

/** Forget what came from the API (`keepWork`: keep drafts, photos and the outbox), or everything:
 *  signing out leaves nothing of the auditor's on the phone. */
export async function forget({ keepWork = false } = {}) {
  const db = await open();
  const names = keepWork ? STORES.filter((name) => !WORK.includes(name)) : STORES;
  const transaction = db.transaction(names, "readwrite");
  for (const name of names) transaction.objectStore(name).clear();
  return committed(transaction);
}
