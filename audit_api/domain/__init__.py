"""Pure product rules on the book's Structs: opening hours, scoring, audit checks and proof-of-visit
flags, the states of visits and complaints, customers' forms, metrics, links, media types, and the
public views the API and the site both print.

No I/O and no framework: never imports the store, the services, the HTTP layer or the site.
"""
