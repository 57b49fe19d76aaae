"""Exchange of plans with spreadsheets and word processors: XLSX, ODS, CSV, DOCX."""
