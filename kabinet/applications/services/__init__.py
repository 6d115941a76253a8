"""Writes to applications: ``workflow`` (statuses and numbers), ``drafts`` (filling in
and filing), ``card`` (requests for documents, answers, the conversation),
``results`` (the connection contract, its signing back and stages)."""
