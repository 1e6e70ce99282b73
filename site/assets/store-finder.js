/* The store finder's search box: hides stores whose names, city names (in any language), address or
   country do not match; then cities and countries left empty. Case and accents do not count ("MOSKVA",
   "москва", "dusana" for "Dušana"). Without JavaScript every store is listed by country and city. */
(function () {
  var input = document.querySelector("[data-store-search]");
  if (!input) return;
  input.hidden = false;
  var label = document.querySelector("label[for=store-search]");
  if (label) label.hidden = false;
  var none = document.querySelector("[data-no-match]");

  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  input.addEventListener("input", function () {
    var q = fold(input.value.trim()), found = 0;
    document.querySelectorAll("[data-store]").forEach(function (li) {
      li.hidden = Boolean(q) && fold(li.dataset.store).indexOf(q) === -1;
      if (!li.hidden) found++;
    });
    document.querySelectorAll("[data-city], [data-country]").forEach(function (section) {
      section.hidden = !section.querySelector("[data-store]:not([hidden])");
    });
    if (none) none.hidden = found > 0;
  });
})();
