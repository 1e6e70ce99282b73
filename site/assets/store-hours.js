/* Opening hours in the browser, worked out in the STORE's time zone (not the reader's): a store's state
   ("Open now, until 22:00", "Closed now · opens Tuesday at 08:00"), its next seven days with their dates,
   and on the store finder each store's state and hours today. The site is built days before it is read, so
   whatever depends on "now" is worked out here; without JavaScript the regular week and the dated changes,
   written by the server, read correctly on their own.

   Hours are minutes after a day's local midnight ([[600, 1320]] is 10:00-22:00; past 1440 runs into the
   next day); a dated change replaces its day's hours. The words come from the page (data-*-label, in the
   page's language, with {placeholders}); times are written by Intl in the page's language, dates from the
   CLDR names and patterns the page carries. */
(function () {
  "use strict";
  var words = document.querySelector("[data-hours-words]");
  if (!words || !window.Intl) return;
  var label = words.dataset;
  var lang = document.documentElement.lang || undefined;
  var DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];  /* as Date#getUTCDay counts */
  var DAY = 1440, MS_PER_DAY = 86400000;
  var clockFormat = new Intl.DateTimeFormat(lang, { timeStyle: "short", timeZone: "UTC" });
  /* Dates from CLDR's names and patterns, which the page carries: browsers lack them for some languages. */
  var weekdays = JSON.parse(label.weekdays), months = JSON.parse(label.months);

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }
  function timeOfDay(minutes) { return new Date(Date.UTC(1970, 0, 1, 0, minutes % DAY)); }
  function clock(minutes) {  /* as the reader writes a time, like the server's CLDR table: 8:00 PM, 20:00 */
    return clockFormat.format(timeOfDay(minutes));
  }
  function hourIsOne(minutes) {  /* whether the reader's clock writes the time's hour as 1 (1:30, 01:30, 1:30 PM) */
    return clockFormat.formatToParts(timeOfDay(minutes)).some(function (part) {
      return part.type === "hour" && Number(part.value) === 1;
    });
  }
  function say(name, minutes, date) {  /* sentence `name` at the time `minutes`, in its one o'clock form where there is one */
    var text = (hourIsOne(minutes) && label[name + "OneLabel"]) || label[name + "Label"];
    var values = { time: clock(minutes) };
    if (date) values.date = date;
    return fill(text, values);
  }
  function spans(intervals) {  /* "10:00 AM – 10:00 PM", in the server's CLDR interval pattern */
    return intervals.map(function (i) { return fill(label.span, { 0: clock(i[0]), 1: clock(i[1]) }); }).join(", ");
  }
  function capital(text) { return text.charAt(0).toUpperCase() + text.slice(1); }
  function writeDay(pattern, day) {  /* "Srijeda, 25. novembar" (dayPattern), "25. novembar" (datePattern) */
    return fill(pattern, { weekday: weekdays[day.getUTCDay()], day: day.getUTCDate(), month: months[day.getUTCMonth()] });
  }

  /* Calendar days are Date objects at UTC midnight: adding days never meets a clock change. */
  function addDays(day, n) { return new Date(day.getTime() + n * MS_PER_DAY); }
  function isoDate(day) { return day.toISOString().slice(0, 10); }

  function localNow(zone, now) {  /* the store's calendar day and minute of the day at the instant `now` */
    var p = {};
    new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "numeric", day: "numeric",
      hour: "numeric", minute: "numeric", hourCycle: "h23" })
      .formatToParts(now).forEach(function (part) { p[part.type] = Number(part.value); });
    return { day: new Date(Date.UTC(p.year, p.month - 1, p.day)), minute: p.hour * 60 + p.minute };
  }

  function hoursOn(store, day) {  /* {hours: [[opens, closes]], note} of one day, its dated change applied */
    var change = store.exceptions[isoDate(day)];
    return change || { hours: store.week[DAYS[day.getUTCDay()]] || [], note: "" };
  }

  /* Open or closed at `now`, and until or from when. Spans run from yesterday (whose hours may spill past
     midnight: at 00:30 a store open 10:00-01:00 is still open) to a week ahead, in minutes from today's
     midnight, touching ones merged. Open from `start` up to, not at, `end`: at the closing minute it is closed. */
  function state(store, now) {
    var here = localNow(store.zone, now), spansAhead = [];
    for (var n = -1; n <= 7; n++) {
      hoursOn(store, addDays(here.day, n)).hours.forEach(function (i) {
        var start = n * DAY + i[0], end = n * DAY + i[1], last = spansAhead[spansAhead.length - 1];
        if (last && start <= last[1]) last[1] = Math.max(last[1], end);
        else spansAhead.push([start, end]);
      });
    }
    for (var k = 0; k < spansAhead.length; k++) {
      var span = spansAhead[k];
      if (span[0] <= here.minute && here.minute < span[1]) return { open: true, at: span[1], today: here.day };
      if (here.minute < span[0]) return { open: false, at: span[0], today: here.day };
    }
    return { open: false, at: null, today: here.day };
  }

  function sentence(s) {  /* the state line, in the page's language */
    if (s.at === null) return label.closedLabel;
    var days = Math.floor(s.at / DAY);
    if (s.open) return days > 7 ? label.openPlainLabel : say("open", s.at);
    if (days === 0) return say("opensToday", s.at);
    if (days === 1) return say("opensTomorrow", s.at);
    var day = addDays(s.today, days);
    if (days < 7) return say("opens" + capital(DAYS[day.getUTCDay()]), s.at);
    return say("opensDate", s.at, writeDay(label.datePattern, day));
  }

  function hoursText(hours) {  /* a day's hours as a row reads: "10:00 – 22:00", "Closed (New Year's Day)" */
    var text = hours.hours.length ? spans(hours.hours) : label.closedDayLabel;
    return hours.note ? text + " (" + hours.note + ")" : text;
  }

  function showState(line, s) {
    line.textContent = sentence(s);
    line.classList.add(s.open ? "is-open" : "is-closed");
  }

  function fillWeek(table, store, today) {  /* the next seven days, today's row marked (for screen readers too) */
    var body = table.tBodies[0];
    for (var n = 0; n < 7; n++) {
      var day = addDays(today, n), hours = hoursOn(store, day), row = body.insertRow(), head = document.createElement("th");
      head.scope = "row";
      head.textContent = capital(writeDay(label.dayPattern, day));
      row.appendChild(head);
      row.insertCell().textContent = hoursText(hours);
      row.dataset.date = isoDate(day);
      if (hours.note) row.className = "changed";  /* a holiday or a short day */
      if (n === 0) {
        row.classList.add("today");
        row.setAttribute("aria-current", "date");
        var mark = document.createElement("span");
        mark.className = "today-mark";
        mark.textContent = label.todayLabel;
        head.appendChild(document.createTextNode(" "));
        head.appendChild(mark);
      }
    }
    table.hidden = false;
  }

  function readStore(el) {
    return { zone: el.dataset.tz, week: JSON.parse(el.dataset.week), exceptions: JSON.parse(el.dataset.exceptions) };
  }

  function showStorePage(box, store, s) {  /* the state line, this week instead of the regular week, changes to come */
    showState(box, s);
    var table = document.querySelector("[data-this-week]"), regular = document.querySelector("[data-regular-week]");
    if (table) {
      fillWeek(table, store, s.today);
      if (regular) regular.hidden = true;
    }
    var today = isoDate(s.today), changes = document.querySelectorAll("[data-exception-date]"), shown = 0;
    changes.forEach(function (item) {  /* the page was built earlier: hide what is past */
      item.hidden = item.dataset.exceptionDate < today;
      if (!item.hidden) shown++;
    });
    if (changes.length && !shown) {
      changes[0].parentNode.hidden = true;
      var heading = document.getElementById("changes");
      if (heading) heading.hidden = true;
    }
  }

  function showFinderEntry(entry, store, s) {  /* the state line and today's hours under a store's address */
    var hours = hoursOn(store, s.today), note = hours.note ? " (" + hours.note + ")" : "";
    showState(entry.querySelector("[data-state]"), s);
    entry.querySelector("[data-today]").textContent = hours.hours.length
      ? fill(label.todayHoursLabel, { hours: spans(hours.hours) }) + note : label.closedTodayLabel + note;
    entry.querySelector(".store-now").hidden = false;
  }

  var now = new Date();
  document.querySelectorAll("[data-store-hours]").forEach(function (el) {
    var store = readStore(el), s = state(store, now);
    if (el.hasAttribute("data-open-now")) showStorePage(el, store, s);
    else showFinderEntry(el, store, s);
  });
})();
