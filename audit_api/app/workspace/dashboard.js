// The dashboard (#/dashboard?period=30&scope=...): a period's figures over the stores the reader chooses,
// from GET /api/v1/dashboard, in the reader's language.
//
// Trends over time are line charts drawn by uPlot (vendor/uplot/, MIT): it is imported lazily, here only,
// so an auditor's phone never downloads it, and the service worker does not precache it. Rankings (stores,
// stages, items) are HTML tables with a bar each (its width set through the CSSOM, which the app's CSP
// allows), no library. Every chart has an accessible name and its figures as a table right below it.
// Stages and items are named from each checklist's published version (GET /api/v1/checklists/ID) in the
// reader's language; a checklist no longer published keeps its id.

import * as api from "../api.js";
import { storesOf } from "./desk.js";
import { apiQuery, chosen, coveredStores, periodOf, pickers, scopeName } from "./filters.js";
import { days, lang, locale, number, percent, t } from "../i18n.js";
import { h, show } from "../ui.js";

const COLOURS = ["#1d5c48", "#8a3b00", "#2f5d8a", "#7a3e9d", "#a1221a"];
const DIMENSIONS = ["tangibles", "reliability", "responsiveness", "assurance", "empathy"];
const TOP_ITEMS = 10;
const DAY_SECONDS = 86400;

function dimensionName(dimension) {
  return {
    tangibles: t("Tangibles"), reliability: t("Reliability"), responsiveness: t("Responsiveness"),
    assurance: t("Assurance"), empathy: t("Empathy"),
  }[dimension] || dimension;
}

let charting = null; // uPlot, once imported

function uPlotLoaded() {
  if (!charting) {
    document.head.append(h("link", { rel: "stylesheet", href: "/app/vendor/uplot/uPlot.min.css" }));
    charting = import("../vendor/uplot/uPlot.esm.js").then((module) => module.default);
  }
  return charting;
}

const seconds = (iso) => Date.parse(`${iso}T00:00:00Z`) / 1000;
const dayFormat = () => new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });
const decimal = (value, digits = 1) => new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value);
const signed = (value) => new Intl.NumberFormat(locale, { maximumFractionDigits: 1, signDisplay: "exceptZero" }).format(value);
const hours = (value) => new Intl.NumberFormat(locale, { style: "unit", unit: "hour", unitDisplay: "long", maximumFractionDigits: 1 }).format(value);
const orNone = (value, format) => (value === null || value === undefined ? "–" : format(value));

/** The checklists of `ids` in the reader's language, by id (one that is no longer published: its id stands in). */
async function checklistsNamed(ids) {
  const found = new Map();
  for (const id of new Set(ids)) {
    try {
      found.set(id, await api.publishedChecklist(id, lang));
    } catch (error) {
      if (!(error instanceof api.Refused) || error instanceof api.SignedOut) throw error;
    }
  }
  return found;
}

function namer(checklists) {
  const checklist = (id) => checklists.get(id)?.title || id;
  const stage = (checklistId, stageId) => checklists.get(checklistId)?.stages.find((s) => s.id === stageId);
  return {
    checklist,
    stage: (checklistId, stageId) => stage(checklistId, stageId)?.title || stageId,
    item: (checklistId, stageId, itemId) => stage(checklistId, stageId)?.items.find((i) => i.id === itemId)?.text || itemId,
  };
}

/** A line chart of a trend, its accessible name, and its figures as a table below it. `series`: [{label, values,
 *  format, tableOnly}], one value per point (null: none that day); a `tableOnly` one (a count beside a score)
 *  is in the table, not the chart. Drawn once in the page (`draw`), as wide as its place. */
function trendChart(caption, board, points, series, range) {
  const lines = series.filter((s) => !s.tableOnly);
  const columns = [board.trend_by === "week" ? t("Week starting") : t("Day"), ...series.map((s) => s.label)];
  const format = dayFormat();
  const plot = h("div", { class: "plot", role: "img", "aria-label": t("%(chart)s: a chart; its figures are in the table below it.", { chart: caption }) });
  const table = h("table", { class: "scores" },
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, columns.map((column) => h("th", { scope: "col" }, column)))),
    h("tbody", {}, points.map((point, index) => h("tr", {},
      h("th", { scope: "row" }, format.format(new Date(`${point}T00:00:00Z`))),
      series.map((s) => h("td", {}, orNone(s.values[index], s.format)))))));
  const figure = h("figure", { class: "chart" },
    h("figcaption", {}, caption),
    points.length === 0 ? h("p", { class: "muted" }, t("No figures in this period.")) : [
      plot,
      h("details", { class: "figures" },
        h("summary", {}, t("Figures as a table")),
        // A wide table (a column a dimension) scrolls inside its own box on a phone, by keyboard too.
        h("div", { class: "scroll", role: "region", tabindex: "0", "aria-label": caption }, table))],
  );
  async function draw() {
    if (points.length === 0) return;
    const uPlot = await uPlotLoaded();
    const axisDay = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", timeZone: "UTC" });
    const options = {
      width: Math.max(plot.clientWidth, 260),
      height: 220,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
      legend: { show: lines.length > 1, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true, range: () => [seconds(board.first_day) - DAY_SECONDS / 2, seconds(board.last_day) + DAY_SECONDS / 2] },
        y: { range: () => range },
      },
      axes: [
        { incrs: [1, 2, 7, 14, 28, 56, 91, 182, 364].map((n) => n * DAY_SECONDS), space: 70, values: (u, splits) => splits.map((v) => axisDay.format(new Date(v * 1000))) },
        { values: (u, splits) => splits.map((v) => number(v)), size: 50 },
      ],
      series: [{}, ...lines.map((s, index) => ({
        label: s.label, stroke: COLOURS[index % COLOURS.length], width: 2, spanGaps: true,
        points: { show: true, size: 7, fill: COLOURS[index % COLOURS.length] },
      }))],
    };
    new uPlot(options, [points.map(seconds), ...lines.map((s) => s.values)], plot);
  }
  return { figure, draw };
}

/** A ranking as a table with a bar a row: `rows` [{name, detail, value (0..100 for the bar), text}]. */
function bars(caption, columns, rows, kind = "") {
  return h("table", { class: `bars ${kind}`.trim() },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, columns.map((column) => h("th", { scope: "col" }, column)))),
    h("tbody", {}, rows.map((row) => {
      const fill = h("span", { class: "rank-fill" });
      fill.style.width = `${Math.max(0, Math.min(100, row.value ?? 0))}%`;
      return h("tr", {},
        h("th", { scope: "row" }, row.name, row.detail && h("span", { class: "detail" }, row.detail)),
        h("td", {}, h("span", { class: "rank-bar", "aria-hidden": "true" }, fill), h("span", { class: "value" }, row.text)));
    })));
}

function tile(label, value, note) {
  return h("div", { class: "tile" }, h("dt", {}, label), h("dd", {}, h("span", { class: "figure" }, value), note && h("span", { class: "note" }, note)));
}

function keyFigures(board) {
  const { audits, survey, complaints, actions } = board;
  return h("dl", { class: "tiles", "aria-label": t("Key figures") },
    tile(t("Mean audit score"), orNone(audits.mean_score, percent), t("Approved audits: %(count)s", { count: number(audits.audits) })),
    tile(t("NPS"), orNone(survey.nps.score, signed), t("Survey responses: %(count)s", { count: number(survey.responses) })),
    tile(t("CSAT"), orNone(survey.csat.score, percent), t("Satisfied customers' share")),
    tile(t("CES"), orNone(survey.ces.mean, (v) => decimal(v, 2)), t("Mean on a scale from %(min)s to %(max)s", { min: number(1), max: number(7) })),
    tile(t("Complaints answered on time"), orNone(complaints.on_time_share, percent), t("Received: %(count)s", { count: number(complaints.received) })),
    tile(t("Open corrective actions"), number(actions.open), t("Overdue: %(count)s", { count: number(actions.overdue) })),
  );
}

function auditSection(board, stores, names) {
  const { audits } = board;
  const charted = trendChart(t("Mean audit score"), board, audits.trend.map((p) => p.day), [
    { label: t("Mean audit score"), values: audits.trend.map((p) => p.mean_score), format: percent },
    { label: t("Approved audits"), values: audits.trend.map((p) => p.audits), format: number, tableOnly: true },
  ], [0, 100]);
  const items = audits.items.filter((item) => item.failed > 0).slice(0, TOP_ITEMS);
  const section = h("section", { class: "board-part", "aria-labelledby": "audits" },
    h("h2", { id: "audits" }, t("Audits")),
    charted.figure,
    audits.stores.length > 0 && bars(t("Stores ranked by mean audit score"), [t("Store"), t("Mean audit score")],
      audits.stores.map((rank) => ({
        name: stores.get(rank.store_id)?.name || rank.store_id,
        detail: t("Approved audits: %(count)s", { count: number(rank.audits) }),
        value: rank.mean_score, text: orNone(rank.mean_score, percent),
      }))),
    audits.stages.length > 0 && bars(t("Stages ranked by failure rate"), [t("Stage"), t("Failure rate")],
      audits.stages.map((rate) => ({
        name: names.stage(rate.checklist_id, rate.stage_id), detail: names.checklist(rate.checklist_id),
        value: rate.failure_rate, text: [orNone(rate.failure_rate, percent), " ", h("span", { class: "muted" }, t("(%(failed)s of %(answered)s)", { failed: number(rate.failed), answered: number(rate.answered) }))],
      })), "failures"),
    items.length === 0
      ? [h("h3", {}, t("Items failed most often")), h("p", { class: "muted" }, t("No item failed in this period."))]
      : bars(t("Items ranked by failure rate"), [t("Item"), t("Failure rate")], items.map((rate) => ({
        name: names.item(rate.checklist_id, rate.stage_id, rate.item_id),
        detail: `${names.stage(rate.checklist_id, rate.stage_id)} · ${names.checklist(rate.checklist_id)}`,
        value: rate.failure_rate, text: [orNone(rate.failure_rate, percent), " ", h("span", { class: "muted" }, t("(%(failed)s of %(answered)s)", { failed: number(rate.failed), answered: number(rate.answered) }))],
      })), "failures"),
  );
  return { section, charts: [charted] };
}

function surveySection(board) {
  const { survey } = board;
  const pointDays = survey.trend.map((p) => p.day);
  const scores = trendChart(t("NPS and CSAT"), board, pointDays, [
    { label: t("NPS"), values: survey.trend.map((p) => p.nps.score), format: signed },
    { label: t("CSAT"), values: survey.trend.map((p) => p.csat.score), format: percent },
  ], [-100, 100]);
  const effort = trendChart(t("CES"), board, pointDays, [
    { label: t("CES"), values: survey.trend.map((p) => p.ces.mean), format: (v) => decimal(v, 2) },
  ], [1, 7]);
  const dims = DIMENSIONS.filter((d) => survey.dimensions[d]);
  const dimDays = [...new Set(dims.flatMap((d) => survey.dimensions[d].trend.map((p) => p.day)))].sort();
  const lows = dims.map((d) => survey.dimensions[d].min).filter((v) => v !== null);
  const highs = dims.map((d) => survey.dimensions[d].max).filter((v) => v !== null);
  const dimensions = trendChart(t("Service dimensions"), board, dimDays, dims.map((d) => {
    const byDay = new Map(survey.dimensions[d].trend.map((p) => [p.day, p.mean]));
    return { label: dimensionName(d), values: dimDays.map((day) => byDay.get(day) ?? null), format: (v) => decimal(v, 2) };
  }), [lows.length ? Math.min(...lows) : 1, highs.length ? Math.max(...highs) : 5]);
  const section = h("section", { class: "board-part", "aria-labelledby": "survey" },
    h("h2", { id: "survey" }, t("Customers' survey")),
    h("p", { class: "muted" }, t("Survey responses: %(count)s", { count: number(survey.responses) }), " · ",
      t("Left out as suspect: %(count)s", { count: number(survey.suspect) })),
    h("dl", { class: "facts" },
      h("dt", {}, t("NPS")), h("dd", {}, orNone(survey.nps.score, signed), " ", h("span", { class: "muted" },
        t("(promoters: %(promoters)s, passives: %(passives)s, detractors: %(detractors)s)", {
          promoters: number(survey.nps.promoters), passives: number(survey.nps.passives), detractors: number(survey.nps.detractors) }))),
      h("dt", {}, t("CSAT")), h("dd", {}, orNone(survey.csat.score, percent)),
      h("dt", {}, t("CES")), h("dd", {}, orNone(survey.ces.mean, (v) => decimal(v, 2)), " ", h("span", { class: "muted" },
        t("Mean on a scale from %(min)s to %(max)s", { min: number(1), max: number(7) })))),
    scores.figure,
    effort.figure,
    h("div", { class: "scroll", role: "region", tabindex: "0", "aria-label": t("Service dimensions: the mean over the period") }, h("table", { class: "scores dimensions" },
      h("caption", {}, t("Service dimensions: the mean over the period")),
      h("thead", {}, h("tr", {}, [t("Dimension"), t("Mean"), t("Answers")].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, dims.map((d) => {
        const dim = survey.dimensions[d];
        return h("tr", {}, h("th", { scope: "row" }, dimensionName(d)),
          h("td", {}, orNone(dim.mean, (v) => decimal(v, 2)), dim.min !== null && [" ", h("span", { class: "muted" }, `(${number(dim.min)}–${number(dim.max)})`)]),
          h("td", {}, number(dim.count)));
      })))),
    dimensions.figure,
  );
  return { section, charts: [scores, effort, dimensions] };
}

function complaintsSection(board) {
  const { complaints, actions } = board;
  return h("section", { class: "board-part", "aria-labelledby": "clock" },
    h("h2", { id: "clock" }, t("Complaints and corrective actions")),
    h("table", { class: "scores" },
      h("caption", {}, t("Complaints received in the period")),
      h("tbody", {}, [
        [t("Received"), number(complaints.received)],
        [t("Answered"), number(complaints.answered)],
        [t("Answered on time"), number(complaints.answered_on_time)],
        [t("Share answered on time"), orNone(complaints.on_time_share, percent)],
        [t("Median time to answer"), orNone(complaints.median_hours_to_answer, hours)],
      ].map(([label, value]) => h("tr", {}, h("th", { scope: "row" }, label), h("td", {}, value))))),
    h("p", { class: "muted" }, t("The share on time is over the complaints whose outcome is known: answered, or still open past their answer time.")),
    h("table", { class: "scores" },
      h("caption", {}, t("Now, whatever the period")),
      h("tbody", {}, [
        [t("Complaints open"), number(complaints.open_now)],
        [t("Complaints overdue"), number(complaints.overdue_now)],
        [t("Acknowledgement overdue"), number(complaints.acknowledgement_overdue_now)],
        [t("Corrective actions open"), number(actions.open)],
        [t("Corrective actions overdue"), number(actions.overdue)],
      ].map(([label, value]) => h("tr", {}, h("th", { scope: "row" }, label), h("td", {}, value))))),
  );
}

function reviewsSection(board, names) {
  const todayIs = board.last_day;
  return h("section", { class: "board-part", "aria-labelledby": "reviews" },
    h("h2", { id: "reviews" }, t("Checklists due for their review")),
    board.checklists_due.length === 0
      ? h("p", { class: "muted" }, t("No checklist is due for its review in the next 30 days."))
      : h("ul", { class: "due-reviews" }, board.checklists_due.map((due) => h("li", {},
        h("span", { class: "label" }, names.checklist(due.checklist_id)), " · ",
        t("Review due by %(day)s", { day: days(due.due, due.due) }),
        due.due < todayIs && [" ", h("span", { class: "badge" }, t("Overdue"))],
        h("span", { class: "detail" }, t("Last reviewed: %(day)s", { day: days(due.reviewed, due.reviewed) }))))),
  );
}

/** The dashboard screen: pickers, then the figures of the choice the fragment's query holds. */
export async function dashboardScreen(main, query) {
  const choice = chosen(query?.slice(1));
  const stores = await coveredStores();
  const period = periodOf(choice, stores);
  const form = pickers(choice, stores, {
    button: t("Show the figures"),
    go: (params) => {
      const hash = `#/dashboard?${params}`;
      if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange")); // the same choice: fresh figures
      else location.hash = hash;
    },
  });
  if (!period) {
    show(main, h("h1", {}, t("Dashboard")), form, h("p", { class: "notice" }, t("Choose the first and the last day, the first not after the last.")));
    return;
  }
  const board = await api.dashboard(apiQuery(choice, period));
  const names = namer(await checklistsNamed([
    ...board.audits.stages.map((s) => s.checklist_id), ...board.checklists_due.map((d) => d.checklist_id),
  ]));
  const named = await storesOf(board.audits.stores.map((rank) => rank.store_id));
  const audits = auditSection(board, named, names);
  const survey = surveySection(board);
  show(main,
    h("h1", {}, t("Dashboard")),
    form,
    h("section", { class: "board", "aria-labelledby": "figures" },
      h("h2", { id: "figures", class: "period" }, t("%(stores)s, %(period)s", { stores: scopeName(choice.scope, stores), period: days(board.first_day, board.last_day) })),
      h("p", { class: "muted" }, board.trend_by === "week"
        ? t("Days are each store's own. Trends go by week over a period this long.")
        : t("Days are each store's own. Trends go by day.")),
      keyFigures(board),
      h("div", { class: "board-grid" }, audits.section, survey.section, complaintsSection(board), reviewsSection(board, names))));
  for (const chart of [...audits.charts, ...survey.charts]) await chart.draw();
}
