"""The dashboard's figures: what the API's `/stats` and the dashboard page show, over a window
they both name the same way (`30d`, `24h`)."""
