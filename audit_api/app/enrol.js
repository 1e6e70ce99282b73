// The enrolment screen: how to sign in, and trading the one-time code from the QR code for a device
// token. Every failure says in plain words what happened and what to do next.

import * as api from "./api.js";
import { t } from "./i18n.js";
import { h, show, status } from "./ui.js";

function device() {
  const hints = navigator.userAgentData;
  const brand = hints?.brands?.map((entry) => entry.brand).find((name) => !/not.a.brand/i.test(name));
  return [hints?.platform || navigator.platform, brand].filter(Boolean).join(" ").slice(0, 100) || "phone";
}

function why(error) {
  if (error instanceof api.Offline) return [t("This phone is not connected to the internet. Connect it, then try again."), true];
  if (error.status === 429) return [t("Too many attempts. Wait a minute, then try again."), true];
  if (error.status >= 500) return [t("The server could not answer. Try again in a few minutes."), true];
  return [t("This enrolment code has been used or has expired. Ask your manager for a new QR code."), false];
}

/** The screen for a phone that is not signed in; `notice` says why (signed out, token revoked). */
export function instructions(main, notice) {
  status({ offline: false, updated: null });
  show(main,
    h("h1", {}, t("Sign in")),
    notice && h("p", { class: "notice", role: "status" }, notice),
    h("p", {}, t("To sign in, scan the enrolment QR code your manager gives you with this phone's camera, or open its link.")),
  );
}

/** Trade `code`, then `signedIn()`; on failure stay here and say why (with "Try again" where it may help). */
export async function trade(main, code, signedIn) {
  status({ offline: false, updated: null });
  show(main, h("h1", {}, t("Sign in")), h("p", { role: "status" }, t("Signing in…")));
  main.setAttribute("aria-busy", "true");
  try {
    await api.enrol(code, device());
  } catch (error) {
    if (!(error instanceof api.Offline || error instanceof api.Refused)) throw error;
    const [message, again] = why(error);
    main.removeAttribute("aria-busy");
    show(main,
      h("h1", {}, t("Sign in")),
      h("p", { class: "problem", role: "alert" }, message),
      again && h("p", {}, h("button", { type: "button", onclick: () => trade(main, code, signedIn) }, t("Try again"))),
    );
    return;
  }
  main.removeAttribute("aria-busy");
  await signedIn();
}
