/* The site's search boxes. Loaded before Material's bundle (overrides/main.html).

   1. Material's search loads its worker and the whole site's index with every page, though most readers
      never search and the index grows with every store. Here both wait for the search box: the index
      request is sent when the reader opens or focuses it (or arrives with ?q=), and the worker is a
      stand-in that starts the real one with its first message, which Material sends once the index is in.
      The sitemaps Material fetches for its language links are never sent: ours lead to the same page already.
   2. Material reads its box on keyup only, so words that arrive without one (a phone keyboard's
      suggestion, an input method, dictation, paste from a menu: typing Cyrillic in some browsers) were
      never searched and the box kept saying "start typing". Every input counts now.
   3. The home page's store search sends its words to the store finder as ?find=..., which filters by them.
   Without JavaScript none of this matters: the store search lands on the full list of stores. */
(function () {
  var start;
  var wanted = new Promise(function (resolve) { start = resolve; });
  function isSearchBox(element) {
    return element instanceof Element && element.matches("[data-md-component=search-query]");
  }
  document.addEventListener("focusin", function (event) { if (isSearchBox(event.target)) start(); });
  document.addEventListener("change", function (event) { if (event.target.id === "__search" && event.target.checked) start(); });
  document.addEventListener("pointerdown", function (event) {
    if (event.target instanceof Element && event.target.closest("label[for=__search]")) start();
  });
  if (new URLSearchParams(location.search).has("q")) start();

  var open = XMLHttpRequest.prototype.open, send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    var path = new URL(String(url), location.href).pathname;
    this.siteWaitsFor = /\/search\/search_index\.json$/.test(path) ? wanted : /\/sitemap\.xml$/.test(path) ? "never" : null;
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    var request = this, body = arguments;
    if (!request.siteWaitsFor) return send.apply(request, body);
    if (request.siteWaitsFor !== "never") request.siteWaitsFor.then(function () { send.apply(request, body); });
  };

  var RealWorker = window.Worker;
  window.Worker = function (url, options) {
    if (!/\/workers\/search\.[^/]*\.js$/.test(String(url))) return new RealWorker(url, options);
    var standIn = new EventTarget(), worker = null;
    standIn.postMessage = function (message) {
      if (!worker) {
        worker = new RealWorker(url, options);
        worker.addEventListener("message", function (event) {
          standIn.dispatchEvent(new MessageEvent("message", { data: event.data }));
        });
      }
      worker.postMessage(message);
    };
    standIn.terminate = function () { if (worker) worker.terminate(); };
    return standIn;
  };

  document.addEventListener("input", function (event) {
    if (isSearchBox(event.target)) event.target.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
  });

  document.addEventListener("DOMContentLoaded", function () {  /* after the store finder's script has run */
    var box = document.querySelector("[data-store-search]");
    var words = new URLSearchParams(location.search).get("find");
    if (!box || !words) return;
    box.value = words;
    box.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
