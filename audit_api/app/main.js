// Start-up and the router of screens. The URL's fragment names the screen:
//
//   #enrol=CODE     from the enrolment QR code (via /enrol): trade the code, then forget it from the URL
//   #/              My visits (visits.js)
//   #/visit/ID      one visit: start, continue, what was sent and how it was reviewed (visit.js)
//   #/visit/ID/stage/N   filling in stage N (fill.js)
//   #/visit/ID/finish    checking and sending (fill.js)
//
// A manager or an admin gets the managers' workspace instead (workspace.js: #/review, #/complaints, ...).
// A phone with no device token sees how to sign in (enrol.js). The outbox (outbox.js) sends at start, when
// the network returns and when asked; the screens that show it are drawn again when it changes.
// When a screen has finished (its checklists downloaded, its words kept offline), <html> carries
// data-state="ready".

import * as api from "./api.js";
import * as db from "./db.js";
import { instructions, trade } from "./enrol.js";
import { finishScreen, stageScreen } from "./fill.js";
import { t, useLanguage } from "./i18n.js";
import { h, status } from "./ui.js";
import * as outbox from "./outbox.js";
import { visitScreen } from "./visit.js";
import { visitsScreen } from "./visits.js";
import { hideNav, knows, manages, workspaceScreen } from "./workspace.js";

const main = document.getElementById("main");
const SCREENS = [
  [/^#\/visit\/([^/]+)\/stage\/(\d+)$/, (id, n) => stageScreen(main, decodeURIComponent(id), n)],
  [/^#\/visit\/([^/]+)\/finish$/, (id) => finishScreen(main, decodeURIComponent(id))],
  [/^#\/visit\/([^/]+)$/, (id) => visitScreen(main, decodeURIComponent(id))],
  [/^(#\/?)?$/, () => visitsScreen(main, { me, signOut })],
];

let me = null;
let notice = null; // () => why the phone is signed out, for the sign-in screen (in the words then in use)
let drawing = null; // the route() under way, if any
let redraw = false; // route() was asked for again while a screen was being drawn
let wordsKept = Promise.resolve(); // the service worker keeps the words in use

async function speak(profile) {
  wordsKept = (await useLanguage(profile)).kept;
}

function busy(value) {
  document.documentElement.dataset.state = value ? "busy" : "ready";
}

async function signOut(event) {
  const problem = document.getElementById("sign-out-problem");
  const session = await api.session();
  const unsent = (await outbox.entries(session.user)).filter((entry) => entry.state !== "sent").length
    + (await db.all("drafts")).filter((draft) => draft.user === session.user).length;
  if (unsent) {
    problem.textContent = t("Audits on this phone are not sent yet. Send or remove them first, then sign out.");
    return;
  }
  event.target.disabled = true;
  try {
    await api.signOut();
  } catch (error) {
    if (!(error instanceof api.Offline || error instanceof api.Refused)) throw error;
    problem.textContent = error instanceof api.Offline
      ? t("Signing out needs the internet. Connect, then try again.")
      : t("The server could not answer. Try again in a few minutes.");
    event.target.disabled = false;
    return;
  }
  me = null;
  notice = () => t("You have signed out. This phone no longer has access.");
  await speak(null);
  history.replaceState(null, "", "/app/#/");
  await route();
}

/** Draw the screen the fragment names. Draws never overlap: one asked for while another is under way (a
 * link followed while a screen still loads, an outbox change) is drawn as soon as that one is done, so a
 * slow screen never lands on top of a newer one. Resolves once the last one asked for is drawn. */
function route() {
  if (drawing) {
    redraw = true;
    return drawing;
  }
  drawing = (async () => {
    try {
      do {
        redraw = false;
        await draw();
      } while (redraw);
    } finally {
      drawing = null;
    }
  })();
  return drawing;
}

async function draw() {
  busy(true);
  try {
    const session = await api.session();
    if (!session) {
      hideNav();
      instructions(main, notice?.());
    } else if (manages(me || session)) {
      await workspaceScreen(main, { me, signOut });
    } else {
      hideNav();
      for (const [pattern, screen] of SCREENS) {
        const match = location.hash.match(pattern);
        if (match) {
          await screen(...match.slice(1));
          break;
        }
      }
    }
  } catch (error) {
    if (error instanceof api.SignedOut) {
      me = null;
      notice = revoked;
      await speak(null);
      hideNav();
      instructions(main, notice());
    } else if (error instanceof api.Offline) { // the workspace reads the network only
      main.replaceChildren(
        h("p", { class: "problem", role: "alert" }, t("No network: connect, then try again.")),
        h("p", {}, h("button", { type: "button", onclick: route }, t("Try again"))),
      );
    } else if (error instanceof api.Refused) {
      main.replaceChildren(
        h("p", { class: "problem", role: "alert" }, t("The server could not answer. Try again in a few minutes.")),
        h("p", {}, h("button", { type: "button", onclick: route }, t("Try again"))),
      );
    } else {
      main.replaceChildren(
        h("p", { class: "problem", role: "alert" }, t("Something went wrong on this phone. Nothing you saved is lost.")),
        h("p", {}, h("a", { href: "#/" }, manages(me) ? t("Back to the start") : t("Back to my visits"))),
      );
      console.error(error);
    }
  }
  await wordsKept;
  if (!redraw) busy(false); // only the last draw makes the app "ready"
}

const revoked = () => t("This phone is no longer signed in. Ask your manager for a new enrolment QR code.");

async function signedIn() {
  notice = null;
  let offline = false;
  try {
    const answer = await api.me();
    me = answer.value;
    offline = answer.offline;
  } catch (error) {
    if (!(error instanceof api.SignedOut)) throw error;
    notice = revoked;
  }
  await speak(me?.language);
  status({ offline }); // in the words just chosen
  if (!location.hash.startsWith("#/visit/") && !knows(location.hash)) history.replaceState(null, "", "/app/#/");
  await route();
  outbox.keepSending();
}

function takeCode() {
  const code = new URLSearchParams(location.hash.slice(1)).get("enrol");
  if (code !== null) history.replaceState(null, "", "/app/"); // the one-time code leaves the URL (and history) at once
  return code;
}

// What the outbox shows changed: draw the screens that show it again (not those with a form being filled),
// now or as soon as the screen being drawn is done.
const SHOWS_OUTBOX = /^(#\/?)?$|^#\/visit\/[^/]+$/;
window.addEventListener("outbox", () => {
  if (SHOWS_OUTBOX.test(location.hash)) route();
});

async function start() {
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" });
  window.addEventListener("online", () => status({ offline: false }));
  window.addEventListener("offline", () => status({ offline: true }));
  window.addEventListener("hashchange", route);
  const code = takeCode();
  if (code) {
    busy(true);
    await speak(null);
    await trade(main, code, signedIn);
    busy(false);
  } else if (await api.session()) {
    await signedIn();
  } else {
    await speak(null);
    await route();
  }
}

start().catch((error) => {
  busy(false);
  main.replaceChildren(h("p", { class: "problem", role: "alert" }, t("The server could not answer. Try again in a few minutes.")));
  throw error;
});
