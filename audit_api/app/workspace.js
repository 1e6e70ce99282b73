// The managers' workspace: what a manager or an admin sees after signing in (an auditor sees My visits).
//
// A navigation of sections, each a path of the URL's fragment with its screens:
//
//   #/review              the queue of submitted audits (review.js)
//   #/review/ID           one audit, to approve, return or reject, and its printable report
//   #/complaints          the complaint queue with its clocks (#/complaints?all=1: resolved and closed too)
//   #/complaints/TICKET   one complaint: its history, the next steps, the reply the customer reads
//   #/plan                the upcoming visits (plan.js); #/plan/visit/ID one, to cancel or reassign;
//                         #/plan/wave a wave of visits; #/plan/import visits from a CSV file
//   #/actions?show=open&store=ID   the corrective actions (actions.js); #/actions/ID one, to close
//   #/dashboard?period=30&scope=city:Sarajevo   a period's figures and trends (dashboard.js; filters.js the pickers)
//   #/export?kind=audits&format=csv&period=...  a download of audits, responses or complaints (export.js)
//
// A new section (Plan, Actions, Dashboard) is one more entry of SECTIONS, in the order the nav shows them:
// its path, its name and its screens; with `shown(me)`, only those it answers true for see it (Plan: those who
// plan visits). `#/` opens the first shown. The nav sits in the header: on a phone a row of
// tabs under the logo that scrolls sideways, on a wide screen the same links beside the logo (app.css).
// The workspace reads the network only: a decision rests on what the server has now.

import { t } from "./i18n.js";
import { h, status } from "./ui.js";

// The sections' modules (workspace/) load when a screen of theirs is first drawn: an auditor's phone never
// fetches them, and the service worker does not keep them (the workspace needs the network anyway).
const from = (module, name) => async (main, ...parts) =>
  (await import(`./workspace/${module}.js`))[name](main, ...parts.map((part) => part && decodeURIComponent(part)));

export const SECTIONS = [
  {
    path: "review",
    name: () => t("Review"),
    screens: [
      [/^#\/review\/([^/?]+)$/, from("review", "reviewScreen")],
      [/^#\/review$/, from("review", "reviewQueue")],
    ],
  },
  {
    path: "plan",
    name: () => t("Plan"),
    shown: async (me) => (await import("./workspace/plan.js")).plans(me),
    screens: [
      [/^#\/plan\/visit\/([^/?]+)$/, from("plan", "planVisitScreen")],
      [/^#\/plan\/wave$/, from("plan", "waveScreen")],
      [/^#\/plan\/import$/, from("plan", "importScreen")],
      [/^#\/plan$/, from("plan", "planScreen")],
    ],
  },
  {
    path: "actions",
    name: () => t("Actions"),
    screens: [
      [/^#\/actions\/([^/?]+)$/, from("actions", "actionScreen")],
      [/^#\/actions(\?[^#]*)?$/, from("actions", "actionsScreen")],
    ],
  },
  {
    path: "complaints",
    name: () => t("Complaints"),
    screens: [
      [/^#\/complaints\/(C-[^/?]+)$/, from("complaints", "complaintScreen")],
      [/^#\/complaints(\?all=1)?$/, from("complaints", "complaintsScreen")],
    ],
  },
  {
    path: "dashboard",
    name: () => t("Dashboard"),
    screens: [[/^#\/dashboard(\?[^#]*)?$/, from("dashboard", "dashboardScreen")]],
  },
  {
    path: "export",
    name: () => t("Export"),
    screens: [[/^#\/export(\?[^#]*)?$/, from("export", "exportScreen")]],
  },
];

/** Whether the signed-in user works in the managers' workspace. */
export const manages = (who) => who?.role === "manager" || who?.role === "admin";

/** Whether the fragment names a screen of the workspace (kept across a reload). */
export const knows = (hash) => SECTIONS.some((section) => section.screens.some(([pattern]) => pattern.test(hash)));

function drawNav(current, sections) {
  const nav = document.getElementById("nav");
  nav.hidden = false;
  nav.setAttribute("aria-label", t("Workspace"));
  nav.replaceChildren(h("ul", {}, sections.map((section) => h("li", {},
    h("a", { href: `#/${section.path}`, "aria-current": section === current ? "page" : false }, section.name())))));
  // On a phone the tabs scroll sideways: the current one is brought into sight (the page itself stays put).
  const shown = nav.querySelector("[aria-current=page]");
  if (shown) shown.parentElement.parentElement.scrollLeft = Math.max(0, shown.offsetLeft - 16);
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
  const { release, taken } = await import("./workspace/desk.js");
  release();
  document.body.classList.add("wide");
  const sections = [];
  for (const section of SECTIONS) if (!section.shown || await section.shown(me)) sections.push(section);
  let found = null;
  for (const section of sections) {
    for (const [pattern, screen] of section.screens) {
      const match = location.hash.match(pattern);
      if (match) found ??= { section, screen, parts: match.slice(1) };
    }
  }
  if (!found) {
    history.replaceState(null, "", `#/${sections[0].path}`);
    found = { section: sections[0], screen: sections[0].screens.at(-1)[1], parts: [] };
  }
  status({ offline: false, updated: null });
  drawNav(found.section, sections);
  const said = taken();
  await found.screen(main, ...found.parts);
  if (said) main.querySelector("h1")?.after(h("p", { class: "notice done", role: "status" }, said));
  main.append(h("footer", { class: "account" },
    me && h("p", { class: "muted" }, t("Signed in as %(name)s", { name: me.display_name || me.name })),
    h("p", { id: "sign-out-problem", class: "problem", role: "alert" }),
    h("button", { type: "button", class: "secondary", onclick: signOut }, t("Sign out"))));
}
