"""The public site: Markdown pages from the published book, built with MkDocs Material. Never imports
the HTTP layer; reads the same public views the API answers with."""
