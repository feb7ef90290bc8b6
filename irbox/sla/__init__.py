"""Service-level targets: how soon an alert of each severity must be triaged and a case
resolved, the due times they give, and the breaches."""
