"""Spreadsheets in and out: read CSV/XLSX as organisers have them, validate rows, write exports."""
