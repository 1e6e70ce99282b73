// The auditor's language, the app's words in it, and dates written as that language writes them.
//
// The language: the user's own if the API names one the chain speaks, else the browser's best match
// among the chain's languages (/app/languages.json), else the chain's default (the rule the API's
// `?lang=` negotiation follows). The words come from the product's gettext catalogs, served as
// /app/words/<lang>.json; `t("My visits")` looks one up by its English id (listed in words.py, which
// tests/test_auditor_app.py checks), `t("visit|Assigned")` one with a context; `%(name)s` is filled from
// `values`. The words file of the chosen language is handed to the service worker to keep offline.

let words = {};
export let lang = "en";
export let locale = "en"; // what Intl formats with: `lang`, or the nearest language whose data the browser has

// Browsers may ship no CLDR data for a language and format with the root locale ("2026 M11 24"): Chromium
// has none for Bosnian. Then dates are written as the nearest language it has writes them.
const NEAREST = { bs: ["sr-Latn-BA", "hr"] };

function formatsIn(candidate) {
  try {
    return !/^M\d+$/.test(new Intl.DateTimeFormat(candidate, { month: "short", timeZone: "UTC" }).format(new Date(Date.UTC(2026, 10, 1))));
  } catch {
    return false;
  }
}

export function t(id, values = {}) {
  const text = words[id] || id.slice(id.indexOf("|") + 1);
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
}

/** The best of `languages` for a reader: `profile` if offered, else the first of `preferred` (BCP 47 tags,
 *  best first) offered as it is or by its primary subtag, else `fallback`. */
export function choose(languages, fallback, profile, preferred) {
  if (profile && languages.includes(profile)) return profile;
  for (const tag of preferred) {
    const wanted = tag.toLowerCase();
    if (languages.includes(wanted)) return wanted;
    if (languages.includes(wanted.split("-")[0])) return wanted.split("-")[0];
  }
  return fallback;
}

async function json(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

let offered = null; // the chain's languages, asked once a start
let kept = null; // the words in use, and the promise that the service worker keeps them

/** Choose the language (see above) and load its words; `kept` resolves once the service worker keeps them. */
export async function useLanguage(profile) {
  try {
    offered ??= await json("/app/languages.json");
  } catch {
    offered = { languages: [lang], default: lang }; // neither network nor a kept copy: stay as we are
  }
  const chosen = choose(offered.languages, offered.default, profile, navigator.languages || [navigator.language]);
  const url = `/app/words/${chosen}.json`;
  if (kept?.url !== url) {
    try {
      words = await json(url);
    } catch {
      words = {};
    }
    kept = { url, done: keepOffline(url) };
  }
  lang = chosen;
  locale = formatsIn(chosen) ? chosen : (NEAREST[chosen] || []).find(formatsIn) || chosen;
  document.documentElement.lang = chosen;
  return { kept: kept.done };
}

async function keepOffline(url) {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.ready;
  await new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = resolve;
    registration.active.postMessage({ keep: url }, [channel.port2]);
  });
}

function day(iso) {
  const [year, month, date] = iso.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, date));
}

const DAY = { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" };

/** A visit's window, two calendar days of the store ("2026-11-23", "2026-11-30"), in the reader's words. */
export function days(start, end) {
  const format = new Intl.DateTimeFormat(locale, DAY);
  return start === end ? format.format(day(start)) : format.formatRange(day(start), day(end));
}

/** Today's date in a time zone, as "YYYY-MM-DD" (comparable with the API's dates). */
export function today(timeZone) {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}

/** A time zone's name in the reader's words ("Central European Time"), else its IANA name. */
export function zoneName(timeZone) {
  try {
    const parts = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: "longGeneric" }).formatToParts(new Date());
    return parts.find((part) => part.type === "timeZoneName")?.value || timeZone;
  } catch {
    return timeZone;
  }
}

/** An instant (ISO 8601) in the phone's own time zone, in the reader's words. */
export function moment(iso) {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

/** A number as the reader's language writes it. */
export function number(value) {
  return new Intl.NumberFormat(locale).format(value);
}

/** A list of words ("a, b or c") as the reader's language joins them. */
export function either(items) {
  return new Intl.ListFormat(locale, { type: "disjunction" }).format(items);
}

/** An instant (ISO 8601) as the clock in `timeZone` showed it, in the reader's words. */
export function clock(iso, timeZone) {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(iso));
}

/** Two instants (ISO 8601) as the clock in `timeZone` showed them, as one range in the reader's words. */
export function clockRange(start, end, timeZone) {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).formatRange(new Date(start), new Date(end));
}

/** A score in percent (83.3) as the reader's language writes a percentage. */
export function percent(value) {
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(value / 100);
}

function wallClock(date, timeZone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", {
    timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  }).formatToParts(date).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** An instant as a `datetime-local` input shows it, on the clock of `timeZone` ("2026-11-24T10:05"). */
export function toLocalInput(iso, timeZone) {
  return wallClock(new Date(iso), timeZone);
}

/** A `datetime-local` value read on the clock of `timeZone`, as an ISO instant (null if it is not a time). */
export function fromLocalInput(value, timeZone) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || "");
  if (!match) return null;
  const wanted = Date.UTC(+match[1], match[2] - 1, +match[3], +match[4], +match[5]);
  let guess = wanted;
  for (let step = 0; step < 2; step += 1) { // the zone's offset at the guess, then at the corrected guess
    const shown = wallClock(new Date(guess), timeZone);
    const [date, time] = shown.split("T");
    const [y, m, d] = date.split("-").map(Number);
    const [hh, mm] = time.split(":").map(Number);
    guess += wanted - Date.UTC(y, m - 1, d, hh, mm);
  }
  return new Date(guess).toISOString();
}
