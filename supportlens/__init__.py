"""SupportLens: an analytics-engineering warehouse for customer-support conversations."""

__version__ = "0.1.0"
