// Building the page: elements from plain values (text is always text, never HTML), a screen's
// contents and title, and the status line that says whether the app is offline and how fresh it is.

import { moment, t } from "./i18n.js";

/** An element: h("p", {class: "note"}, "text", child, [more]). `on…` attributes are listeners. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

/** Show a screen: its heading becomes the page's title and takes the focus (screen readers announce it). */
export function show(main, ...children) {
  main.replaceChildren(...children.flat(Infinity).filter(Boolean));
  const heading = main.querySelector("h1");
  document.title = heading ? heading.textContent : "";
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

let offline = !navigator.onLine;
let updated = null;

/** Say whether the app is offline and when what it shows was last updated. */
export function status(change = {}) {
  if ("offline" in change) offline = change.offline;
  if ("updated" in change) updated = change.updated;
  const line = document.getElementById("status");
  const parts = [];
  if (offline) parts.push(h("strong", {}, t("You are offline. This is what the phone saved.")));
  if (updated) parts.push(h("span", {}, t("Updated: %(when)s", { when: moment(updated) })));
  line.replaceChildren(...parts);
  line.classList.toggle("offline", offline);
  line.hidden = parts.length === 0;
}
