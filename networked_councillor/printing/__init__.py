"""PDFs (the ward report, the training handouts): the only place below `ui/` that uses QtGui."""
