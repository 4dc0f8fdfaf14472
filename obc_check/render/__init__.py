"""Contract text for legal review: Markdown, HTML, Word."""
