"""Documents in: read .txt/.docx/.pdf/.html (``reading``), find mentions, numbers and dates
(``patterns``, ``extractor``) and who helps where (``assigning``), and write them (``load``)."""
