// A visit: its store, window, scenario and the checklist it must use, stage by stage, read-only.
// (Step 2 turns the items into answers; the item's kind already says which control each needs.)

import * as api from "./api.js";
import { days, either, lang, number, t, zoneName } from "./i18n.js";
import { h, show, status } from "./ui.js";
import { ended, stateName } from "./visits.js";

function answerKind(item) {
  const target = item.target === undefined ? "" : [number(item.target), item.unit].filter(Boolean).join(" ");
  switch (item.kind) {
    case "yes_no": return t("Yes or no");
    case "scale": return t("A rating from %(min)s to %(max)s", { min: number(item.min), max: number(item.max) });
    case "number": return item.rule === "at_most" ? t("A number: at most %(target)s", { target }) : t("A number: at least %(target)s", { target });
    case "choice": return t("One of: %(choices)s", { choices: either(item.choices.map((choice) => choice.label)) });
    default: return "";
  }
}

function itemView(item) {
  const needs = { photo: t("A photo is needed if this is not met."), comment: t("A comment is needed if this is not met.") }[item.evidence];
  return h("li", { class: "item" },
    h("p", { class: "item-text" }, item.text, item.critical && [" ", h("span", { class: "badge" }, t("critical"))]),
    item.guidance && h("p", { class: "guidance" }, item.guidance),
    h("p", { class: "muted" }, [answerKind(item), needs, item.na_allowed && t("May be answered N/A.")].filter(Boolean).join(" · ")),
  );
}

function stageView(stage) {
  return h("section", { class: "stage", "aria-labelledby": `stage-${stage.id}` },
    h("h3", { id: `stage-${stage.id}` }, stage.title),
    stage.expected_result && h("p", { class: "expected" }, h("span", { class: "label" }, t("Expected result")), " ", stage.expected_result),
    h("ol", { class: "items" }, stage.items.map(itemView)),
  );
}

export async function visitScreen(main, id) {
  const visit = await api.visit(id);
  if (!visit) {
    show(main, h("p", {}, h("a", { href: "#/" }, t("Back to my visits"))), h("h1", {}, t("My visits")),
      h("p", { class: "problem" }, t("This visit is not on this phone. Go back to your visits while online.")));
    return;
  }
  const store = await api.store(visit.store_id, lang);
  const { checklist, offline } = await api.checklist(visit, lang);
  if (offline) status({ offline: true });
  const address = store && [store.address, store.city].filter(Boolean).join(", ");
  show(main,
    h("p", {}, h("a", { href: "#/" }, t("Back to my visits"))),
    h("h1", {}, store?.name || visit.store_id),
    h("dl", { class: "facts" },
      address && [h("dt", {}, t("Address")), h("dd", {}, address)],
      h("dt", {}, t("State")), h("dd", {}, stateName(visit.state)),
      h("dt", {}, t("Visit window")), h("dd", {}, days(visit.window_start, visit.window_end),
        ended(visit, store) && h("span", { class: "late" }, " ", t("The visit window has ended."))),
    ),
    store?.timezone && h("p", { class: "muted" }, t("Dates are in the store's time zone (%(timezone)s).", { timezone: zoneName(store.timezone) })),
    h("h2", {}, t("Scenario")),
    h("p", { class: "brief-full" }, visit.scenario),
    h("h2", {}, t("Checklist")),
    checklist
      ? [h("p", {}, `${checklist.title} · ${t("version %(number)s", { number: checklist.version })}`), checklist.stages.map(stageView)]
      : h("p", { class: "problem" }, t("The checklist is not on this phone yet. Open this visit once while online to save it.")),
  );
}
