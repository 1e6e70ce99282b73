/* The store finder's search box: hides stores whose name, city or address does not match.
   Without JavaScript every store is listed by city. */
(function () {
  var input = document.querySelector("[data-store-search]");
  if (!input) return;
  input.hidden = false;
  var label = document.querySelector("label[for=store-search]");
  if (label) label.hidden = false;
  input.addEventListener("input", function () {
    var q = input.value.trim().toLowerCase();
    document.querySelectorAll("[data-store]").forEach(function (li) {
      li.hidden = q && li.dataset.store.indexOf(q) === -1;
    });
    document.querySelectorAll("[data-city]").forEach(function (section) {
      section.hidden = !section.querySelector("[data-store]:not([hidden])");
    });
  });
})();
