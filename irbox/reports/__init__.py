"""The incident report: a self-contained, printable HTML document and its Markdown twin."""
