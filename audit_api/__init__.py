"""Service-audit product: the standards book, the audit API, customer surveys and the public site."""

__version__ = "0.1.0"
