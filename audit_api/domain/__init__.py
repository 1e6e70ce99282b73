"""Pure product logic on the book's Structs: opening hours, public views (later: scoring, clocks, metrics).

Never imports the HTTP layer, the store or the site generator.
"""
