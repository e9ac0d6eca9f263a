"""Publishers: what translators and downstream systems read (HTML, XLSX, TMX, JSONL/Parquet feed)."""
