// The managers' workspace: what a manager or an admin sees after signing in (an auditor sees My visits).
//
// A navigation of sections, each a path of the URL's fragment with its screens:
//
//   #/review              the queue of submitted audits (review.js)
//   #/review/ID           one audit, to approve, return or reject, and its printable report
//   #/complaints          the complaint queue with its clocks (#/complaints?all=1: resolved and closed too)
//   #/complaints/TICKET   one complaint: its history, the next steps, the reply the customer reads
//
// A new section (Plan, Actions, Dashboard) is one more entry of SECTIONS, in the order the nav shows them:
// its path, its name and its screens. `#/` opens the first. The nav sits in the header: on a phone a row of
// tabs under the logo that scrolls sideways, on a wide screen the same links beside the logo (app.css).
// The workspace reads the network only: a decision rests on what the server has now.

import { complaintScreen, complaintsScreen } from "./complaints.js";
import { release, taken } from "./desk.js";
import { t } from "./i18n.js";
import { reviewQueue, reviewScreen } from "./review.js";
import { h, status } from "./ui.js";

const decoded = (screen) => (main, ...parts) => screen(main, ...parts.map((part) => part && decodeURIComponent(part)));

export const SECTIONS = [
  {
    path: "review",
    name: () => t("Review"),
    screens: [
      [/^#\/review\/([^/?]+)$/, decoded(reviewScreen)],
      [/^#\/review$/, reviewQueue],
    ],
  },
  {
    path: "complaints",
    name: () => t("Complaints"),
    screens: [
      [/^#\/complaints\/(C-[^/?]+)$/, decoded(complaintScreen)],
      [/^#\/complaints(\?all=1)?$/, (main, all) => complaintsScreen(main, Boolean(all))],
    ],
  },
];

/** Whether the signed-in user works in the managers' workspace. */
export const manages = (who) => who?.role === "manager" || who?.role === "admin";

/** Whether the fragment names a screen of the workspace (kept across a reload). */
export const knows = (hash) => SECTIONS.some((section) => section.screens.some(([pattern]) => pattern.test(hash)));

function drawNav(current) {
  const nav = document.getElementById("nav");
  nav.hidden = false;
  nav.setAttribute("aria-label", t("Workspace"));
  nav.replaceChildren(h("ul", {}, SECTIONS.map((section) => h("li", {},
    h("a", { href: `#/${section.path}`, "aria-current": section === current ? "page" : false }, section.name())))));
}

/** Hide the nav (an auditor's screens, signing in). */
export function hideNav() {
  const nav = document.getElementById("nav");
  nav.hidden = true;
  nav.replaceChildren();
  document.body.classList.remove("wide");
}

/** Draw the screen the fragment names (the first section's queue for any other). */
export async function workspaceScreen(main, { me, signOut }) {
  release();
  document.body.classList.add("wide");
  let found = null;
  for (const section of SECTIONS) {
    for (const [pattern, screen] of section.screens) {
      const match = location.hash.match(pattern);
      if (match) found ??= { section, screen, parts: match.slice(1) };
    }
  }
  if (!found) {
    history.replaceState(null, "", `#/${SECTIONS[0].path}`);
    found = { section: SECTIONS[0], screen: SECTIONS[0].screens.at(-1)[1], parts: [] };
  }
  status({ offline: false, updated: null });
  drawNav(found.section);
  const said = taken();
  await found.screen(main, ...found.parts);
  if (said) main.querySelector("h1")?.after(h("p", { class: "notice done", role: "status" }, said));
  main.append(h("footer", { class: "account" },
    me && h("p", { class: "muted" }, t("Signed in as %(name)s", { name: me.display_name || me.name })),
    h("p", { id: "sign-out-problem", class: "problem", role: "alert" }),
    h("button", { type: "button", class: "secondary", onclick: signOut }, t("Sign out"))));
}
