"""irbox: a self-hosted incident-response appliance."""

__version__ = "0.1.0"
