/* "Open now" on a store page, worked out in the store's own time zone. Without JavaScript the
   weekly hours and the exceptions still read correctly; this only adds the line and marks today. */
(function () {
  var box = document.querySelector("[data-open-now]");
  if (!box || !window.Intl) return;
  var zone = box.dataset.tz;
  var week = JSON.parse(box.dataset.week);          // {"mon": [[540, 1200]], ...} minutes after midnight
  var exceptions = JSON.parse(box.dataset.exceptions); // {"2026-12-31": [[480, 900]], "2027-01-01": []}

  function parts(date) {
    var out = {};
    new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23", weekday: "short" })
      .formatToParts(date).forEach(function (p) { out[p.type] = p.value; });
    return out;
  }
  function intervals(isoDate, weekday) {
    return Object.prototype.hasOwnProperty.call(exceptions, isoDate) ? exceptions[isoDate] : (week[weekday] || []);
  }
  var clock = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { timeStyle: "short", timeZone: "UTC" });
  function fmt(minutes) {  /* as the reader writes a time (CLDR, like the table the server wrote): 8:00 PM, 20:00 */
    return clock.format(new Date(Date.UTC(1970, 0, 1, 0, minutes % 1440)));
  }

  var now = new Date();
  var p = parts(now);
  var today = p.year + "-" + p.month + "-" + p.day;
  var weekday = p.weekday.toLowerCase().slice(0, 3);
  var minute = Number(p.hour) * 60 + Number(p.minute);
  var y = parts(new Date(now.getTime() - 86400000));
  var spill = intervals(y.year + "-" + y.month + "-" + y.day, y.weekday.toLowerCase().slice(0, 3))
    .filter(function (i) { return i[1] > 1440 && minute < i[1] - 1440; });
  var open = spill.length ? [0, spill[0][1] - 1440] : null;
  intervals(today, weekday).forEach(function (i) { if (!open && i[0] <= minute && minute < i[1]) open = i; });

  box.textContent = open ? box.dataset.openLabel.replace("{time}", fmt(open[1])) : box.dataset.closedLabel;
  box.classList.add(open ? "is-open" : "is-closed");
  var row = document.querySelector('.hours tr[data-day="' + weekday + '"]');
  if (row) row.classList.add("today");
  document.querySelectorAll("[data-exception-date]").forEach(function (el) {
    if (el.dataset.exceptionDate < today) el.hidden = true;  /* the page was built earlier: hide what is past */
  });
})();
