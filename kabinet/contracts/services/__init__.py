"""Every write about contracts (ARCHITECTURE rule 1), split by sub-domain:
``cabinet`` (attaching contracts to cabinets: sign-up, requests, staff approval, the
curator chat), ``reports`` (monthly consumption reports, normative data) and
``documents`` (signed акты сверки and счета-фактуры)."""
