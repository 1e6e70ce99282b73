"""The auditors' phone app: an installable web app (PWA) of static files, served at /app/ by
`http/auditor_app.py`, and the English ids of its words (`words.py`).

    index.html, app.css         the page and its one stylesheet
    main.js                     start-up and the router of screens (enrol.js, visits.js, visit.js; a manager's
                                or an admin's: workspace.js, with review.js, complaints.js and desk.js)
    api.js                      every call to the API, network first, with what db.js kept as the fallback
    db.js                       the one IndexedDB module: what the phone keeps
    i18n.js, ui.js              words (t("My visits")), dates through Intl; building the page
    sw.js                       the service worker: the shell offline, in a cache named by its content hash
    manifest.webmanifest, icon* what a phone needs to install it

No build step and no library: plain ES modules, as the browser loads them.
"""
